using Mxfp4.Core.MatVec;
using Xunit;

namespace Mxfp4.Core.Tests.MatVec;

public class SwiGluTests
{
    [Fact]
    public void Hand_computed_gate_one_up_zero()
    {
        // Row 0 (gate) has element 0 = 1.0 (nibble 2, scale 127); row 1 (up) is zero. out = 1·σ(1.702) = 0.845796…
        var blocks = new byte[32];
        blocks[0] = 0x02;
        var matrix = new Mxfp4Matrix(blocks, new byte[] { 127, 127 }, 1);
        var x = new float[32];
        x[0] = 1;
        var y = Mxfp4MatVec.Multiply(matrix, x, activation: MatVecActivation.SwiGLU);
        Assert.Single(y);
        Assert.Equal(0.845796, y[0], 5e-6);
    }

    [Fact]
    public void Hand_computed_clamps()
    {
        // gate 10 → 7, up −9 → −7 (via bias on zero weights): 7·σ(11.914)·(−6) = −41.99972…
        var matrix = new Mxfp4Matrix(new byte[32], new byte[] { 127, 127 }, 1);
        var y = Mxfp4MatVec.Multiply(matrix, new float[32], new[] { 10f, -9f }, activation: MatVecActivation.SwiGLU);
        Assert.Equal(-41.99972, y[0], 5e-5);
    }

    [Fact]
    public void Matches_a_scalar_reference_on_random_pairs()
    {
        var random = new Random(55);
        var data = MatVecTestData.Random(random, 64, 20, lowScale: 118, highScale: 126);
        var x = MatVecTestData.RandomVector(random, data.Columns);
        var bias = MatVecTestData.RandomVector(random, data.Rows, 3.0);
        var linear = Mxfp4MatVec.Multiply(data.Matrix, x, bias);
        var swiglu = Mxfp4MatVec.Multiply(data.Matrix, x, bias, activation: MatVecActivation.SwiGLU);
        Assert.Equal(data.Rows / 2, swiglu.Length);
        for (int p = 0; p < swiglu.Length; p++)
        {
            // Bitwise against the reference applied to the engine's own linear rows.
            Assert.Equal(Reference(linear[2 * p], linear[(2 * p) + 1]), swiglu[p]);

            // Within the propagated bound against the reference applied to the float64 rows.
            var (gate, gateAbs) = data.Reference(2 * p, x, bias[2 * p]);
            var (up, upAbs) = data.Reference((2 * p) + 1, x, bias[(2 * p) + 1]);
            double gateError = data.ExactBound(2 * p, gateAbs);
            double upError = data.ExactBound((2 * p) + 1, upAbs);
            double expected = ReferenceDouble(gate, up);
            double slopeGate = Math.Abs(ReferenceDouble(gate + 1e-4, up) - ReferenceDouble(gate - 1e-4, up)) / 2e-4;
            double slopeUp = Math.Abs(ReferenceDouble(gate, up + 1e-4) - ReferenceDouble(gate, up - 1e-4)) / 2e-4;
            double tolerance = (2 * ((slopeGate + 0.1) * gateError + (slopeUp + 0.1) * upError))
                + (MatVecTestData.Epsilon * Math.Abs(expected));
            Assert.True(Math.Abs(swiglu[p] - expected) <= tolerance, $"pair {p}: {swiglu[p]} vs {expected}, tolerance {tolerance}");
        }
    }

    private static float Reference(float gate, float up) => (float)ReferenceDouble(gate, up);

    private static double ReferenceDouble(double gate, double up)
    {
        double g = gate > 7 ? 7 : gate;
        double u = up > 7 ? 7 : up < -7 ? -7 : up;
        return g * (1.0 / (1.0 + Math.Exp(-1.702 * g))) * (u + 1.0);
    }
}

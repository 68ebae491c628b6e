using Mxfp4.Core.MatVec;

namespace Mxfp4.Bench.Limits;

/// <summary>
/// The fused matrix-vector product against read bandwidth: y = W·x over all experts of the workload (out of cache)
/// and over one expert (5760 × 2880, about 8 MB, mostly cache-resident), Exact and Int8, on one thread and on all.
/// Throughput counts the MXFP4 bytes read (blocks and scales), the only large stream a matvec touches.
/// </summary>
internal sealed class MatVecSection : ILimitsSection
{
    public string Title => "Fused matvec vs read bandwidth";

    public string Baseline => "ratio = MXFP4 bytes read per second / read bandwidth (vectorized sum of the same blocks) on the same number of threads";

    public LimitsSectionResult Run(LimitsWorkload workload, Bandwidth bandwidth)
    {
        var rows = new List<LimitsMeasurement>();
        var targets = new List<LimitsTarget>();
        var threadCounts = workload.Threads == 1 ? new[] { 1 } : new[] { 1, workload.Threads };
        var all = new Mxfp4Matrix(workload.Blocks, workload.Scales, LimitsWorkload.GroupsPerRow, "gate_up, all experts");
        var one = all.Expert(0, LimitsWorkload.Rows);
        var x = new float[all.Columns];
        var random = new Random(11);
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)((random.NextDouble() * 2) - 1);
        }

        foreach (int threads in threadCounts)
        {
            long inputBytes = workload.Blocks.LongLength;
            double read;
            unsafe
            {
                read = bandwidth.Measure(inputBytes, () => Bandwidth.Sum(workload.BlocksPointer, inputBytes, threads));
            }

            rows.Add(new LimitsMeasurement("read (sum of MXFP4 blocks)", threads, inputBytes, read, 1.0));
            foreach (var precision in Enum.GetValues<MatVecPrecision>())
            {
                foreach (var (matrix, label) in new[] { (all, $"{workload.Experts} experts"), (one, "1 expert") })
                {
                    long bytes = matrix.Rows * (matrix.BlockBytesPerRow + matrix.GroupsPerRow);
                    var y = new float[matrix.Rows];
                    Mxfp4MatVec.Multiply(matrix, x, y, default, precision, MatVecActivation.None, threads);
                    double gbps = bandwidth.Measure(bytes, () => Mxfp4MatVec.Multiply(matrix, x, y, default, precision, MatVecActivation.None, threads));
                    rows.Add(new LimitsMeasurement($"matvec {precision}, {label} ({bytes / gbps / 1e6:F1} ms)", threads, bytes, gbps, gbps / read));
                    if (matrix == all && threads == workload.Threads)
                    {
                        targets.Add(new LimitsTarget($"matvec {precision} ≥ {(precision == MatVecPrecision.Exact ? "0.7" : "0.85")}× read bandwidth, out of cache ({threads} threads)", gbps / read, precision == MatVecPrecision.Exact ? 0.7 : 0.85));
                    }
                }
            }
        }

        return new LimitsSectionResult(rows, targets);
    }
}

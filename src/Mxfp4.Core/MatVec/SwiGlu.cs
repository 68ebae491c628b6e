namespace Mxfp4.Core.MatVec;

/// <summary>gpt-oss's clamped SwiGLU (α = 1.702, limit 7), evaluated in float64 and rounded once.</summary>
internal static class SwiGlu
{
    internal const double Alpha = 1.702;

    internal const double Limit = 7.0;

    internal static float Apply(float gate, float up)
    {
        double g = Math.Min(gate, Limit);
        double u = Math.Clamp(up, -Limit, Limit);
        double sigmoid = 1.0 / (1.0 + Math.Exp(-Alpha * g));
        return (float)(g * sigmoid * (u + 1.0));
    }
}

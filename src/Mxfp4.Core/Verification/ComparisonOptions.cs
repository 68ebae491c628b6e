using Mxfp4.Core.Conversion;

namespace Mxfp4.Core.Verification;

/// <summary>How two checkpoints are compared.</summary>
public sealed class ComparisonOptions
{
    /// <summary>Transformers: the difference side's expert weights are <c>[E, in, out]</c>, as ConvertFrom-Mxfp4 -Layout Transformers
    /// writes them.</summary>
    public ConversionLayout DifferenceLayout { get; init; } = ConversionLayout.Natural;

    /// <summary>The largest absolute difference still within tolerance.</summary>
    public double Tolerance { get; init; }

    /// <summary>Which logical tensor names to compare; all when null.</summary>
    public Func<string, bool>? Filter { get; init; }

    /// <summary>Worker threads; 0 = all of the pinned pool.</summary>
    public int Threads { get; init; }
}

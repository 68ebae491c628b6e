using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Quantization;

namespace Mxfp4.Core.Conversion;

/// <summary>What a checkpoint encoding quantizes and how it names the pairs it writes.</summary>
public sealed record QuantizationOptions
{
    public ScaleRule Rule { get; init; } = ScaleRule.Up;

    /// <summary>The names of the pairs: <c>X_blocks</c>/<c>X_scales</c> or <c>X.blocks</c>/<c>X.scales</c>.</summary>
    public Mxfp4NamingStyle NamingStyle { get; init; } = Mxfp4NamingStyle.HuggingFace;

    /// <summary>Which tensors to quantize by name; null means the gpt-oss expert weights (<see
    /// cref="QuantizationPlan.IsExpertWeight"/>).</summary>
    public Func<string, bool>? Selects { get; init; }
}

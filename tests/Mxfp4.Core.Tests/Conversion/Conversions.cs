using Mxfp4.Core.Conversion;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Core.Tests.Conversion;

/// <summary>Plan-and-execute in one call, as the cmdlet does it.</summary>
internal static class Conversions
{
    public static ConversionResult Run(string source, string destination, ConversionOptions options,
        Action<ConversionProgress>? progress = null, Func<Stream, Stream>? outputFilter = null,
        CancellationToken cancellationToken = default)
    {
        using var checkpoint = Checkpoint.Open(source, cancellationToken);
        var plan = ConversionPlan.Create(checkpoint, destination, options);
        return CheckpointConverter.Execute(checkpoint, plan, null, progress, outputFilter, cancellationToken);
    }
}

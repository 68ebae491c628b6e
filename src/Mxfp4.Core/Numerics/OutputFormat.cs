namespace Mxfp4.Core.Numerics;

/// <summary>The floating formats the engine produces.</summary>
public enum OutputFormat
{
    F32,
    BF16,
    F16,
}

public static class OutputFormatExtensions
{
    public static int BytesPerElement(this OutputFormat format) => format switch
    {
        OutputFormat.F32 => 4,
        OutputFormat.BF16 or OutputFormat.F16 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown output format."),
    };
}

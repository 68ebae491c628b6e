namespace Mxfp4.Core.Numerics;

/// <summary>The floating formats the engine produces; <see cref="OutputFormats"/> maps each to its format type.</summary>
public enum OutputFormat
{
    F32,
    BF16,
    F16,
}

namespace Mxfp4.Core.Mxfp4;

/// <summary>How a checkpoint names the two halves of an MXFP4 tensor.</summary>
public enum Mxfp4NamingStyle
{
    /// <summary>Original gpt-oss: <c>X.blocks</c> / <c>X.scales</c>.</summary>
    GptOss,

    /// <summary>Hugging Face transformers: <c>X_blocks</c> / <c>X_scales</c>.</summary>
    HuggingFace,
}

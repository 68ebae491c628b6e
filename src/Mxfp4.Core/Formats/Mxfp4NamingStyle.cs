// The namespace is not the folder's: users see this enum's full name as the type of
// Mxfp4TensorInfo.NamingStyle (Get-Member); so it keeps the name it was published with.
#pragma warning disable IDE0130 // Namespace does not match folder structure
namespace Mxfp4.Core.Mxfp4;
#pragma warning restore IDE0130

/// <summary>How a checkpoint names the two halves of an MXFP4 tensor.</summary>
public enum Mxfp4NamingStyle
{
    /// <summary>Original gpt-oss: <c>X.blocks</c> / <c>X.scales</c>.</summary>
    GptOss,

    /// <summary>Hugging Face transformers: <c>X_blocks</c> / <c>X_scales</c>.</summary>
    HuggingFace,
}

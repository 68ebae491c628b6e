using Mxfp4.Core.Mxfp4;

namespace Mxfp4.Core.Formats;

/// <summary>
/// One way a checkpoint names the two halves of a block-quantized tensor <c>X</c>: <c>X + BlocksSuffix</c> and
/// <c>X + ScalesSuffix</c>.
/// </summary>
public readonly record struct BlockTensorNaming(string BlocksSuffix, string ScalesSuffix, Mxfp4NamingStyle Style);

using Mxfp4.Core.Formats;
using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Core.Tensors;

/// <summary>The outcome of pairing one blocks or scales tensor: a tensor, or the reason it cannot be one.</summary>
public readonly record struct Mxfp4PairResult(Mxfp4TensorInfo? Tensor, Mxfp4PairingException? Error);

/// <summary>
/// Finds the MXFP4 tensors among a checkpoint's tensors: every <c>X.blocks</c>/<c>X_blocks</c> with its
/// <c>X.scales</c>/<c>X_scales</c>, across shards. Tensors with neither suffix are not MXFP4 and are skipped.
/// </summary>
public static class Mxfp4Pairing
{
    private static readonly BlockFormat Format = BlockFormat.Mxfp4;

    /// <summary>Pairs in the order the blocks tensors come; each orphan scales tensor is reported after them.</summary>
    public static IReadOnlyList<Mxfp4PairResult> Pair(IEnumerable<TensorInfo> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var byName = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
        var ordered = new List<TensorInfo>();
        foreach (var tensor in tensors)
        {
            // The same tensor may arrive twice (e.g. piped and re-listed); the first occurrence counts.
            if (byName.TryAdd(tensor.Name, tensor))
            {
                ordered.Add(tensor);
            }
        }

        var results = new List<Mxfp4PairResult>();
        var pairedScales = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tensor in ordered)
        {
            foreach (var (blocksSuffix, scalesSuffix, style) in Format.Namings)
            {
                if (!tensor.Name.EndsWith(blocksSuffix, StringComparison.Ordinal))
                {
                    continue;
                }

                string name = tensor.Name[..^blocksSuffix.Length];
                string scalesName = name + scalesSuffix;
                if (!byName.TryGetValue(scalesName, out var scales))
                {
                    results.Add(Fail(
                        ErrorIds.ScalesMissing,
                        $"MXFP4 blocks tensor '{tensor.Name}' has no scales tensor '{scalesName}'.",
                        tensor.Name,
                        scalesName,
                        tensor.Path));
                }
                else
                {
                    pairedScales.Add(scalesName);
                    results.Add(Check(name, tensor, scales, style));
                }
            }
        }

        foreach (var tensor in ordered)
        {
            foreach (var (blocksSuffix, scalesSuffix, _) in Format.Namings)
            {
                if (tensor.Name.EndsWith(scalesSuffix, StringComparison.Ordinal) && !pairedScales.Contains(tensor.Name))
                {
                    string blocksName = tensor.Name[..^scalesSuffix.Length] + blocksSuffix;
                    results.Add(Fail(
                        ErrorIds.BlocksMissing,
                        $"MXFP4 scales tensor '{tensor.Name}' has no blocks tensor '{blocksName}'.",
                        blocksName,
                        tensor.Name,
                        tensor.Path));
                }
            }
        }

        return results;
    }

    /// <summary>Whether a tensor name is one half of an MXFP4 pair in either naming style.</summary>
    public static bool IsMxfp4Part(string tensorName) => Format.IsPart(tensorName);

    private static Mxfp4PairResult Check(string name, TensorInfo blocks, TensorInfo scales, Mxfp4NamingStyle style)
    {
        if (blocks.DType != SafetensorsDType.U8 || scales.DType != SafetensorsDType.U8)
        {
            return Fail(
                ErrorIds.Mxfp4DTypeMismatch,
                $"MXFP4 tensor '{name}': blocks '{blocks.Name}' is {blocks.DType} and scales '{scales.Name}' is {scales.DType}; "
                    + "both must be U8.",
                blocks.Name,
                scales.Name,
                blocks.Path);
        }

        var b = blocks.Shape;
        var s = scales.Shape;
        bool shapesFit = b.Length >= 2 && b[^1] == Format.BlockBytes
            && s.Length == b.Length - 1 && b.AsSpan(0, b.Length - 1).SequenceEqual(s);
        if (!shapesFit)
        {
            return Fail(
                ErrorIds.Mxfp4ShapeMismatch,
                $"MXFP4 tensor '{name}': blocks '{blocks.Name}' has shape [{string.Join(", ", b)}] "
                    + $"and scales '{scales.Name}' has shape [{string.Join(", ", s)}]; "
                    + "expected blocks [..., G, 16] and scales [..., G].",
                blocks.Name,
                scales.Name,
                blocks.Path);
        }

        var shape = s.ToArray();
        shape[^1] = checked(shape[^1] * Format.BlockElements);
        return new Mxfp4PairResult(new Mxfp4TensorInfo(name, shape, blocks, scales, style), null);
    }

    private static Mxfp4PairResult Fail(string errorId, string message, string blocksName, string scalesName, string path)
        => new(null, new Mxfp4PairingException(errorId, message, blocksName, scalesName, path));
}

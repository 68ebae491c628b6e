using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Core.Tensors;

/// <summary>
/// Opens the shard(s) behind a tensor record and hands out a decodable <see cref="TensorSource"/>. The record may be
/// old (listed earlier in a pipeline): opening re-reads each header and insists the tensor is still where the record
/// says, so a file replaced in between is reported rather than misread. Disposing releases the memory maps at once.
/// </summary>
public sealed class TensorReader : IDisposable
{
    private readonly List<SafetensorsFile> _files;

    private TensorReader(string name, long[] shape, TensorSource source, List<SafetensorsFile> files)
    {
        Name = name;
        Shape = shape;
        Source = source;
        _files = files;
    }

    public string Name { get; }

#pragma warning disable CA1819 // a shape is naturally an array
    public long[] Shape { get; }
#pragma warning restore CA1819

    public TensorSource Source { get; }

    /// <summary>The blocks and scales of an MXFP4 tensor, for consumers that read them undecoded (matvec).</summary>
    /// <exception cref="InvalidOperationException">The reader was opened on a plain floating tensor.</exception>
    public Mxfp4Storage Storage => (Source as Mxfp4TensorSource)?.Storage
        ?? throw new InvalidOperationException($"'{Name}' is not an MXFP4 tensor; it has no blocks and scales.");

    public static TensorReader Open(Mxfp4TensorInfo tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var files = new List<SafetensorsFile>();
        try
        {
            var blocks = OpenChecked(files, tensor.Blocks);
            var scales = OpenChecked(files, tensor.Scales);
            var source = new Mxfp4TensorSource(blocks.Map, tensor.Blocks.DataOffset, scales.Map, tensor.Scales.DataOffset,
                tensor.GroupCount);
            return new TensorReader(tensor.Name, tensor.Shape, source, files);
        }
        catch
        {
            files.ForEach(f => f.Dispose());
            throw;
        }
    }

    /// <summary>Opens a plain floating tensor (BF16, F16, F8, F32), which decodes by conversion.</summary>
    public static TensorReader Open(TensorInfo tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (DTypeTable.ToFloatType(tensor.DType) is null)
        {
            throw new Mxfp4Exception(
                ErrorIds.UnsupportedDType,
                Mxfp4ErrorCategory.InvalidArgument,
                $"Tensor '{tensor.Name}' in '{tensor.Path}' is {tensor.DType}; only MXFP4 pairs and BF16, F16, F8_E4M3, F8_E5M2 and F32 "
                    + "tensors can be converted.",
                tensor.Name);
        }

        var files = new List<SafetensorsFile>();
        try
        {
            var file = OpenChecked(files, tensor);
            return new TensorReader(tensor.Name, tensor.Shape,
                new FloatTensorSource(file.Map, tensor.DataOffset, tensor.ElementCount, tensor.DType), files);
        }
        catch
        {
            files.ForEach(f => f.Dispose());
            throw;
        }
    }

    public void Dispose() => _files.ForEach(f => f.Dispose());

    private static SafetensorsFile OpenChecked(List<SafetensorsFile> files, TensorInfo tensor)
    {
        var file = files.FirstOrDefault(f => string.Equals(f.Header.Path, tensor.Path, StringComparison.Ordinal));
        if (file is null)
        {
            file = SafetensorsFile.Open(tensor.Path);
            files.Add(file);
        }

        SourceCheck.EnsureListed(file.Header, tensor);
        return file;
    }
}

using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Core.Tensors;

/// <summary>
/// Opens the shard(s) behind a tensor record and hands out a decodable <see cref="TensorSource"/>. The record may be
/// old (listed earlier in a pipeline): opening checks that the header holds the tensor where the record says
/// (<see cref="SourceCheck"/>), so a file replaced in between is reported rather than misread. The files come from a
/// <see cref="ShardSession"/>: the reader's own, released when the reader and every <see cref="Lease"/> of it are
/// disposed, or a command's, which outlives the reader.
/// </summary>
public sealed class TensorReader : IDisposable
{
    private readonly ShardSession? _owned;
    private int _holders = 1;
    private bool _disposed;

    private TensorReader(string name, long[] shape, TensorSource source, ShardSession? owned)
    {
        Name = name;
        Shape = shape;
        Source = source;
        _owned = owned;
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

    /// <summary>Opens an MXFP4 tensor on files of its own.</summary>
    public static TensorReader Open(Mxfp4TensorInfo tensor) => Owning(session => Open(tensor, session, session));

    /// <summary>Opens an MXFP4 tensor on the files of <paramref name="shards"/>, which must outlive the reader.</summary>
    public static TensorReader Open(Mxfp4TensorInfo tensor, ShardSession shards) => Open(tensor, shards, null);

    /// <summary>Opens a plain floating tensor (BF16, F16, F8, F32), which decodes by conversion, on files of its own.</summary>
    public static TensorReader Open(TensorInfo tensor) => Owning(session => Open(tensor, session, session));

    /// <summary>Opens a plain floating tensor on the files of <paramref name="shards"/>, which must outlive the reader.</summary>
    public static TensorReader Open(TensorInfo tensor, ShardSession shards) => Open(tensor, shards, null);

    /// <summary>
    /// Another holder of this reader's files, such as a stream handed to a caller that outlives the code that opened
    /// the reader: the files stay open until the reader and every lease are disposed.
    /// </summary>
    public IDisposable Lease()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Interlocked.Increment(ref _holders);
        return new ReaderLease(this);
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            Release();
        }
    }

    private static TensorReader Open(Mxfp4TensorInfo tensor, ShardSession shards, ShardSession? owned)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(shards);
        var blocks = OpenChecked(shards, tensor.Blocks);
        var scales = OpenChecked(shards, tensor.Scales);
        var source = new Mxfp4TensorSource(blocks.Map, tensor.Blocks.DataOffset, scales.Map, tensor.Scales.DataOffset, tensor.GroupCount);
        return new TensorReader(tensor.Name, tensor.Shape, source, owned);
    }

    private static TensorReader Open(TensorInfo tensor, ShardSession shards, ShardSession? owned)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(shards);
        if (DTypeTable.ToFloatType(tensor.DType) is null)
        {
            throw new Mxfp4Exception(
                ErrorIds.UnsupportedDType,
                Mxfp4ErrorCategory.InvalidArgument,
                $"Tensor '{tensor.Name}' in '{tensor.Path}' is {tensor.DType}; only MXFP4 pairs and BF16, F16, F8_E4M3, F8_E5M2 and F32 "
                    + "tensors can be converted.",
                tensor.Name);
        }

        var file = OpenChecked(shards, tensor);
        return new TensorReader(tensor.Name, tensor.Shape,
            new FloatTensorSource(file.Map, tensor.DataOffset, tensor.ElementCount, tensor.DType), owned);
    }

    private static TensorReader Owning(Func<ShardSession, TensorReader> open)
    {
        var session = new ShardSession();
        try
        {
            return open(session);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static SafetensorsFile OpenChecked(ShardSession shards, TensorInfo tensor)
    {
        var file = shards.Get(tensor.Path);
        SourceCheck.EnsureListed(file.Header, tensor);
        return file;
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _holders) == 0)
        {
            _owned?.Dispose();
        }
    }

    private sealed class ReaderLease(TensorReader reader) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                reader.Release();
            }
        }
    }
}

using Microsoft.Win32.SafeHandles;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;

namespace Mxfp4.Core.Conversion;

/// <summary>
/// The conversion's view of its source shards, read with read calls rather than through the mapping: a shard
/// truncated while it is read gives a short read, reported as SourceChanged, where a mapped page beyond the new end
/// would kill the process with SIGBUS. A shard rewritten in place shows a new modification time or length, checked
/// after every tensor and before the output is committed. Both checks are the shared <see cref="SourceCheck"/>.
/// </summary>
internal sealed class ShardInput : IDisposable
{
    private const string NothingWritten = "nothing was written";

    private readonly Checkpoint _source;
    private readonly Dictionary<string, OpenShard> _open = new(StringComparer.Ordinal);

    internal ShardInput(Checkpoint source) => _source = source;

    /// <summary>Fills <paramref name="destination"/> from <paramref name="offset"/> of the shard holding <paramref
    /// name="tensor"/>.</summary>
    internal void Read(TensorInfo tensor, long offset, Span<byte> destination)
    {
        var shard = Open(tensor);
        while (destination.Length > 0)
        {
            int read;
            try
            {
                read = RandomAccess.Read(shard.Handle, destination, offset);
            }
            catch (IOException ex)
            {
                throw shard.Check.ReadFailed(tensor.Name, $"reading it failed: {ex.Message}", ex);
            }

            if (read == 0)
            {
                throw shard.Check.ReadFailed(
                    tensor.Name,
                    $"it ends before byte {offset + destination.Length} of the {shard.Check.Length} it had");
            }

            destination = destination[read..];
            offset += read;
        }
    }

    /// <summary>Throws SourceChanged if any shard read so far has a new length or modification time.</summary>
    internal void CheckUnchanged(string tensorName)
    {
        foreach (var shard in _open.Values)
        {
            shard.Check.EnsureUnchanged(tensorName);
        }
    }

    public void Dispose()
    {
        foreach (var shard in _open.Values)
        {
            shard.Handle.Dispose();
        }

        _open.Clear();
    }

    private OpenShard Open(TensorInfo tensor)
    {
        if (_open.TryGetValue(tensor.Path, out var shard))
        {
            return shard;
        }

        var header = _source.GetHeader(tensor.Path);
        SafeFileHandle handle;
        try
        {
            // Through SafeOpen: a shard swapped for a FIFO or device after listing is refused, never waited on.
            handle = FileSystem.SafeOpen.Read(tensor.Path).SafeFileHandle;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw SourceCheck.Changed(tensor.Path, $"it can no longer be opened: {ex.Message} (tensor '{tensor.Name}'); {NothingWritten}",
                tensor.Path, ex);
        }

        try
        {
            shard = new OpenShard(handle, SourceCheck.Opened(handle, tensor, header.FileLength, NothingWritten));
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        _open.Add(tensor.Path, shard);
        return shard;
    }

    private sealed record OpenShard(SafeFileHandle Handle, SourceCheck Check);
}

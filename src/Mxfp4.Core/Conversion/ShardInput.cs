using Microsoft.Win32.SafeHandles;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Core.Conversion;

/// <summary>
/// The conversion's view of its source shards, read with read calls rather than through the mapping: a shard
/// truncated while it is read gives a short read, reported as SourceChanged, where a mapped page beyond the new end
/// would kill the process with SIGBUS. A shard rewritten in place shows a new modification time or length, checked
/// after every tensor and before the output is committed.
/// </summary>
internal sealed class ShardInput : IDisposable
{
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
                throw Changed(tensor, $"reading it failed: {ex.Message}", ex);
            }

            if (read == 0)
            {
                throw Changed(tensor, $"it ends before byte {offset + destination.Length} of the {shard.Length} it had");
            }

            destination = destination[read..];
            offset += read;
        }
    }

    /// <summary>Throws SourceChanged if any shard read so far has a new length or modification time.</summary>
    internal void CheckUnchanged(string tensorName)
    {
        foreach (var (path, shard) in _open)
        {
            long length = RandomAccess.GetLength(shard.Handle);
            if (length != shard.Length || File.GetLastWriteTimeUtc(shard.Handle) != shard.LastWrite)
            {
                throw new Mxfp4Exception(
                    ErrorIds.SourceChanged,
                    Mxfp4ErrorCategory.ReadError,
                    $"'{path}' changed while it was being converted (it was {shard.Length} bytes modified {shard.LastWrite:O}, and is "
                        + $"{length} bytes modified {File.GetLastWriteTimeUtc(shard.Handle):O}; last tensor '{tensorName}'). Nothing was "
                            + "written.",
                    path);
            }
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
            throw Changed(tensor, $"it can no longer be opened: {ex.Message}", ex);
        }

        long length = RandomAccess.GetLength(handle);
        if (length != header.FileLength)
        {
            handle.Dispose();
            throw Changed(tensor, $"it was {header.FileLength} bytes and is now {length}");
        }

        shard = new OpenShard(handle, length, File.GetLastWriteTimeUtc(handle));
        _open.Add(tensor.Path, shard);
        return shard;
    }

    private static Mxfp4Exception Changed(TensorInfo tensor, string what, Exception? inner = null) => new(
        ErrorIds.SourceChanged,
        Mxfp4ErrorCategory.ReadError,
        $"'{tensor.Path}' changed while it was being converted: {what} (tensor '{tensor.Name}'). Nothing was written.",
        tensor.Path,
        inner);

    private sealed record OpenShard(SafeFileHandle Handle, long Length, DateTime LastWrite);
}

using Mxfp4.Core.Safetensors;

namespace Mxfp4.Core.Tensors;

/// <summary>
/// The shards one command reads, each opened, mapped and its header validated once however many tensors it serves:
/// the tensors of a pipeline, their biases and the index that locates a bias in another shard. A record listed
/// earlier is still checked against the header read here (<see cref="SourceCheck.EnsureListed"/>), so a file
/// replaced before the command reached it is reported, not misread. Readers borrow the files; disposing the
/// session releases them all.
/// </summary>
public sealed class ShardSession : IDisposable
{
    private readonly Dictionary<string, SafetensorsFile> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Checkpoint?> _indexes = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>The shard at <paramref name="path"/> (a full path, as records carry it), opened on first use.</summary>
    public SafetensorsFile Get(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_files.TryGetValue(path, out var file))
        {
            file = SafetensorsFile.Open(path);
            _files.Add(path, file);
        }

        return file;
    }

    /// <summary>The checkpoint of the index file in <paramref name="directory"/>, opened on first use; null when there is none.</summary>
    public Checkpoint? Index(string directory, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_indexes.TryGetValue(directory, out var checkpoint))
        {
            string index = Path.Combine(directory, Checkpoint.DefaultIndexName);
            checkpoint = File.Exists(index) ? Checkpoint.Open(index, cancellationToken) : null;
            _indexes.Add(directory, checkpoint);
        }

        return checkpoint;
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var file in _files.Values)
        {
            file.Dispose();
        }

        foreach (var checkpoint in _indexes.Values)
        {
            checkpoint?.Dispose();
        }

        _files.Clear();
        _indexes.Clear();
    }
}

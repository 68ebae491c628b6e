using System.Collections.ObjectModel;
using Mxfp4.Core.FileSystem;

namespace Mxfp4.Core.Safetensors;

/// <summary>
/// A checkpoint as a user names it: one <c>.safetensors</c> file, a directory (its
/// <c>model.safetensors.index.json</c> when present, else all its <c>*.safetensors</c> files in ordinal name order), or
/// an <c>*.index.json</c> file. Opening reads and validates every shard header up front, so every error surfaces before
/// any work; shards are mapped lazily, once, and all maps are released with the checkpoint.
/// </summary>
/// <remarks>
/// Consistency rules beyond the DESIGN: with an index, a tensor that a shard holds but weight_map does not assign to
/// that shard is <c>InvalidCheckpointIndex</c> (the index would hide or misplace it); without an index, a tensor name
/// found in two files is <c>DuplicateTensorName</c>. Shard names from an index are checked lexically (no <c>..</c>, no
/// absolute names); links are followed wherever they lead. Every file read must be a regular file (UnsupportedFileType).
/// </remarks>
public sealed class Checkpoint : IDisposable
{
    public const string DefaultIndexName = "model.safetensors.index.json";

    private const string SafetensorsExtension = ".safetensors";
    private const string IndexSuffix = ".index.json";

    private readonly Dictionary<string, SafetensorsHeader> _headers;
    private readonly Dictionary<string, TensorInfo> _byName;
    private readonly Dictionary<string, MappedFile> _maps = new(StringComparer.Ordinal);
    private readonly object _mapLock = new();
    private bool _disposed;

    private Checkpoint(string path, string rootDirectory, string? indexPath, IReadOnlyList<SafetensorsHeader> headers,
        IReadOnlyDictionary<string, string> indexMetadata)
    {
        Path = path;
        RootDirectory = rootDirectory;
        IndexPath = indexPath;
        ShardPaths = headers.Select(h => h.Path).ToArray();
        _headers = headers.ToDictionary(h => h.Path, StringComparer.Ordinal);
        Tensors = headers.SelectMany(h => h.Tensors).ToArray();
        _byName = new Dictionary<string, TensorInfo>(Tensors.Count, StringComparer.Ordinal);
        foreach (var tensor in Tensors)
        {
            _byName.TryAdd(tensor.Name, tensor);
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var header in headers)
        {
            foreach (var (key, value) in header.Metadata)
            {
                metadata.TryAdd(key, value);
            }
        }

        Metadata = new ReadOnlyDictionary<string, string>(metadata);
        IndexMetadata = new ReadOnlyDictionary<string, string>(indexMetadata.ToDictionary(StringComparer.Ordinal));
    }

    /// <summary>What was opened, as a full path: the file, directory or index.</summary>
    public string Path { get; }

    /// <summary>The directory shard names are relative to (the file's or index's directory, or the directory opened).</summary>
    public string RootDirectory { get; }

    /// <summary>The index file used, when there is one.</summary>
    public string? IndexPath { get; }

    /// <summary>The shards as full paths: ordinal name order (distinct weight_map values, or the directory's files).</summary>
    public IReadOnlyList<string> ShardPaths { get; }

    /// <summary>All tensors, shard by shard in <see cref="ShardPaths"/> order, each shard's in data-offset order.</summary>
    public IReadOnlyList<TensorInfo> Tensors { get; }

    /// <summary>The shards' <c>__metadata__</c> merged; when shards disagree on a key, the first shard wins.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The index's "metadata" object: strings as their text, other values (e.g. total_size) as raw JSON text. Empty without an
    /// index.</summary>
    public IReadOnlyDictionary<string, string> IndexMetadata { get; }

    public TensorInfo? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Opens a checkpoint; <paramref name="cancellationToken"/> stops the parsing and resolving of a huge header or
    /// index.</summary>
    public static Checkpoint Open(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
        {
            string index = System.IO.Path.Combine(fullPath, DefaultIndexName);
            return File.Exists(index) ? OpenIndex(fullPath, index, cancellationToken) : OpenDirectory(fullPath, cancellationToken);
        }

        if (!File.Exists(fullPath))
        {
            throw new CheckpointException(ErrorIds.PathNotFound, Mxfp4ErrorCategory.ObjectNotFound, $"'{fullPath}' does not exist.",
                fullPath);
        }

        string directory = System.IO.Path.GetDirectoryName(fullPath)!;
        if (fullPath.EndsWith(IndexSuffix, StringComparison.OrdinalIgnoreCase))
        {
            return OpenIndex(fullPath, fullPath, cancellationToken);
        }

        return new Checkpoint(fullPath, directory, null, [ReadShard(fullPath, fullPath, cancellationToken)], EmptyMetadata());
    }

    public SafetensorsHeader GetHeader(string shardPath) => _headers.TryGetValue(System.IO.Path.GetFullPath(shardPath), out var header)
        ? header
        : throw new ArgumentException($"'{shardPath}' is not a shard of checkpoint '{Path}'.", nameof(shardPath));

    /// <summary>The shard mapped read-only; mapped on first use and shared by all callers until the checkpoint is disposed.</summary>
    public MappedFile GetMap(string shardPath)
    {
        var header = GetHeader(shardPath);
        lock (_mapLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_maps.TryGetValue(header.Path, out var map))
            {
                return map;
            }

            map = MappedFile.Open(header.Path);
            try
            {
                SafetensorsFile.CheckLength(header, map.Length);
            }
            catch
            {
                map.Dispose();
                throw;
            }

            _maps.Add(header.Path, map);
            return map;
        }
    }

    public void Dispose()
    {
        lock (_mapLock)
        {
            _disposed = true;
            foreach (var map in _maps.Values)
            {
                map.Dispose();
            }

            _maps.Clear();
        }
    }

    private static Checkpoint OpenDirectory(string directory, CancellationToken cancellationToken)
    {
        var files = Directory.EnumerateFiles(directory)
            .Where(f => f.EndsWith(SafetensorsExtension, StringComparison.OrdinalIgnoreCase))
            .Select(System.IO.Path.GetFullPath)
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToArray();
        if (files.Length == 0)
        {
            throw new CheckpointException(ErrorIds.NoSafetensorsFiles, Mxfp4ErrorCategory.ObjectNotFound,
                $"'{directory}' holds neither {DefaultIndexName} nor any *.safetensors file.", directory);
        }

        var headers = files.Select(f => ReadShard(f, directory, cancellationToken)).ToArray();
        var owner = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var header in headers)
        {
            foreach (var tensor in header.Tensors)
            {
                if (!owner.TryAdd(tensor.Name, header.Path))
                {
                    throw new CheckpointException(
                        ErrorIds.DuplicateTensorName, Mxfp4ErrorCategory.InvalidData,
                        $"'{directory}': tensor '{tensor.Name}' is in both '{owner[tensor.Name]}' and '{header.Path}'.", directory,
                            header.Path, tensor.Name);
                }
            }
        }

        return new Checkpoint(directory, directory, null, headers, EmptyMetadata());
    }

    private static Checkpoint OpenIndex(string openedPath, string indexPath, CancellationToken cancellationToken)
    {
        string root = System.IO.Path.GetDirectoryName(indexPath)!;
        CheckpointIndex index;
        try
        {
            index = CheckpointIndex.Read(indexPath, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw ReadFailed(indexPath, indexPath, e);
        }

        // Resolve every name before opening anything, so an escaping name is reported even if a valid shard is missing.
        var shardOf = new Dictionary<string, string>(StringComparer.Ordinal);
        var resolved = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (tensor, shardName) in index.WeightMap)
        {
            if (!resolved.TryGetValue(shardName, out var shardPath))
            {
                cancellationToken.ThrowIfCancellationRequested();
                shardPath = ShardPathResolver.Resolve(root, shardName, indexPath);
                resolved.Add(shardName, shardPath);
            }

            shardOf.Add(tensor, shardPath);
        }

        var shardPaths = resolved.Values.Distinct(StringComparer.Ordinal).OrderBy(p => p, StringComparer.Ordinal).ToArray();
        foreach (var (shardName, shardPath) in resolved)
        {
            if (Directory.Exists(shardPath))
            {
                throw new UnsupportedFileTypeException(shardPath, FileKind.Directory, $" (shard '{shardName}' of '{indexPath}')");
            }

            if (FileStatus.Of(shardPath) is null)
            {
                string why = FileStatus.Of(shardPath, followLinks: false) is { Kind: FileKind.SymbolicLink }
                    ? "is a symbolic link that leads to no file (dangling, or a loop of links)"
                    : "does not exist";
                throw new CheckpointException(
                    ErrorIds.ShardNotFound, Mxfp4ErrorCategory.ObjectNotFound,
                    $"'{indexPath}': shard '{shardName}' {why} (looked for '{shardPath}').", indexPath, shardPath);
            }
        }

        var headers = shardPaths.Select(p => ReadShard(p, indexPath, cancellationToken)).ToArray();
        var headerOf = headers.ToDictionary(h => h.Path, StringComparer.Ordinal);
        foreach (var (tensor, shardPath) in shardOf)
        {
            if (headerOf[shardPath].Find(tensor) is null)
            {
                throw new CheckpointException(
                    ErrorIds.TensorNotInShard, Mxfp4ErrorCategory.InvalidData,
                    $"'{indexPath}': weight_map puts tensor '{tensor}' in shard '{shardPath}', which does not hold it.", indexPath,
                        shardPath, tensor);
            }
        }

        foreach (var header in headers)
        {
            foreach (var tensor in header.Tensors)
            {
                if (!shardOf.TryGetValue(tensor.Name, out var mapped) || !string.Equals(mapped, header.Path, StringComparison.Ordinal))
                {
                    string where = mapped is null ? "does not list it" : $"assigns it to '{mapped}'";
                    throw new CheckpointException(
                        ErrorIds.InvalidCheckpointIndex, Mxfp4ErrorCategory.InvalidData,
                        $"'{indexPath}': shard '{header.Path}' holds tensor '{tensor.Name}' but weight_map {where}.", indexPath,
                            header.Path, tensor.Name);
                }
            }
        }

        return new Checkpoint(openedPath, root, indexPath, headers, index.Metadata);
    }

    private static SafetensorsHeader ReadShard(string shardPath, string checkpointPath, CancellationToken cancellationToken)
    {
        try
        {
            return SafetensorsHeader.Read(shardPath, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw ReadFailed(checkpointPath, shardPath, e);
        }
    }

    private static CheckpointException ReadFailed(string checkpointPath, string filePath, Exception e) => new(
        e is UnauthorizedAccessException ? ErrorIds.CheckpointAccessDenied : ErrorIds.CheckpointReadFailed,
        e is UnauthorizedAccessException ? Mxfp4ErrorCategory.PermissionDenied : Mxfp4ErrorCategory.ReadError,
        $"'{filePath}' could not be read: {e.Message}", checkpointPath, filePath, null, e);

    private static Dictionary<string, string> EmptyMetadata() => new(StringComparer.Ordinal);
}

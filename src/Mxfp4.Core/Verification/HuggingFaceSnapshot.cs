namespace Mxfp4.Core.Verification;

/// <summary>
/// A checkpoint directory inside a Hugging Face hub cache: <c>models--org--name/snapshots/&lt;revision&gt;/</c>, whose
/// files are links into <c>models--org--name/blobs/</c>. A blob of an LFS file (every shard) is named after its
/// SHA-256; a download in progress is a <c>blobs/&lt;sha256&gt;.incomplete</c> file, renamed when complete.
/// </summary>
public sealed class HuggingFaceSnapshot
{
    private const string IncompleteSuffix = ".incomplete";

    private HuggingFaceSnapshot(string snapshotDirectory, string blobsDirectory)
    {
        SnapshotDirectory = snapshotDirectory;
        BlobsDirectory = blobsDirectory;
    }

    public string SnapshotDirectory { get; }

    public string BlobsDirectory { get; }

    /// <summary>The snapshot <paramref name="directory"/> is part of, or null when it is not <c>snapshots/&lt;rev&gt;/</c> beside a
    /// <c>blobs/</c>.</summary>
    public static HuggingFaceSnapshot? Detect(string directory)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        string? snapshots = Path.GetDirectoryName(full);
        string? repository = snapshots is null ? null : Path.GetDirectoryName(snapshots);
        if (repository is null || !string.Equals(Path.GetFileName(snapshots), "snapshots", StringComparison.Ordinal))
        {
            return null;
        }

        string blobs = Path.Combine(repository, "blobs");
        return Directory.Exists(blobs) ? new HuggingFaceSnapshot(full, blobs) : null;
    }

    /// <summary>The interrupted downloads of this repository: its <c>blobs/*.incomplete</c> files.</summary>
    public IReadOnlyList<string> IncompleteBlobs()
        => Directory.EnumerateFiles(BlobsDirectory, "*" + IncompleteSuffix).Order(StringComparer.Ordinal).ToArray();

    /// <summary>The links in the snapshot (its subdirectories included) whose target does not exist.</summary>
    public IReadOnlyList<(string Link, string Target)> DanglingLinks()
    {
        var dangling = new List<(string, string)>();
        foreach (
            var entry in Directory.EnumerateFileSystemEntries(SnapshotDirectory, "*", SearchOption.AllDirectories).Order(
            StringComparer.Ordinal))
        {
            var info = new FileInfo(entry);
            if (info.LinkTarget is { } target && info.ResolveLinkTarget(returnFinalTarget: true) is not { Exists: true })
            {
                dangling.Add((entry, target));
            }
        }

        return dangling;
    }

    /// <summary>
    /// The SHA-256 the file must have: the name of the blob its link ends at, when that name is 64 hex digits (an LFS
    /// blob; small git files are named by their git SHA-1 and say nothing about SHA-256). Null for anything else.
    /// </summary>
    public static string? ExpectedSha256(string path)
    {
        FileSystemInfo? target;
        try
        {
            target = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true);
        }
        catch (IOException)
        {
            return null;
        }

        string? name = target?.Name;
        return name is { Length: 64 } && name.All(Uri.IsHexDigit) ? name.ToLowerInvariant() : null;
    }
}

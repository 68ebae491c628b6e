namespace Mxfp4.Core.Safetensors;

/// <summary>
/// Turns a shard name from an index's weight_map into a file path that is guaranteed to stay inside the checkpoint
/// directory: no absolute names, no <c>..</c> segments, and no symbolic link (of the file or of any directory on
/// the way) whose target lies outside the directory.
/// </summary>
internal static class ShardPathResolver
{
    /// <summary>Bound on link hops, as the OS applies (ELOOP); a loop of links must fail, not spin.</summary>
    private const int MaxLinkHops = 40;

    private static readonly char[] Separators = ['/', '\\'];

    private static StringComparison PathComparison =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>The full path of shard <paramref name="shardName"/> under <paramref name="rootDirectory"/>, or an error naming the index and shard.</summary>
    public static string Resolve(string rootDirectory, string shardName, string indexPath)
    {
        // Both separators count on every platform: an index written on Windows must not escape on Linux and vice versa.
        var segments = shardName.Split(Separators);
        if (shardName.Length == 0 || Path.IsPathRooted(shardName) || Path.IsPathFullyQualified(shardName) || shardName[0] is '/' or '\\'
            || segments.Any(s => s == ".."))
        {
            throw Outside(indexPath, shardName, "is absolute or climbs out with '..'");
        }

        string lexical = Path.GetFullPath(Path.Combine(rootDirectory, Path.Combine(segments.Where(s => s.Length > 0 && s != ".").ToArray())));
        int hops = 0;
        string realRoot = RealPath(rootDirectory, ref hops, indexPath, shardName);
        string realShard = RealPath(lexical, ref hops, indexPath, shardName);
        string prefix = Path.EndsInDirectorySeparator(realRoot) ? realRoot : realRoot + Path.DirectorySeparatorChar;
        if (!realShard.StartsWith(prefix, PathComparison))
        {
            throw Outside(indexPath, shardName, $"resolves through a link to '{realShard}', outside '{realRoot}'");
        }

        return lexical;
    }

    /// <summary>
    /// The path with every symbolic link along it replaced by its target, component by component (so a link target's
    /// own <c>..</c> is applied to the link's real parent, as the OS does). Components that do not exist are kept as they are.
    /// </summary>
    private static string RealPath(string absolutePath, ref int hops, string indexPath, string shardName)
    {
        string root = Path.GetPathRoot(absolutePath)!;
        string current = root;
        foreach (var component in absolutePath[root.Length..].Split(Separators, StringSplitOptions.RemoveEmptyEntries))
        {
            if (component == ".")
            {
                continue;
            }

            if (component == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            string next = Path.Combine(current, component);
            string? target = LinkTarget(next);
            if (target is null)
            {
                current = next;
                continue;
            }

            if (++hops > MaxLinkHops)
            {
                throw Outside(indexPath, shardName, "leads through a loop of symbolic links");
            }

            current = RealPath(Path.IsPathRooted(target) ? target : Path.Combine(current, target), ref hops, indexPath, shardName);
        }

        return current;
    }

    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            // Not a link we can read (or a parent that is a file): treated as a plain component; opening it fails later.
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static CheckpointException Outside(string indexPath, string shardName, string why) =>
        new("ShardOutsideCheckpoint", Mxfp4ErrorCategory.InvalidData, $"'{indexPath}': shard '{shardName}' {why}; shards must stay inside the checkpoint directory.", indexPath, shardName);
}

namespace Mxfp4.Core.Safetensors;

/// <summary>
/// Turns a shard name from an index's weight_map into the path of a file in the checkpoint directory. The name is
/// checked lexically — not absolute, no <c>..</c> component, not empty, no control character — so an index cannot
/// name a file elsewhere. Symbolic links on the way are followed wherever they lead, as every other reader does:
/// the Hugging Face cache links each snapshot file to a blob two directories up.
/// </summary>
internal static class ShardPathResolver
{
    private static readonly char[] Separators = ['/', '\\'];

    /// <summary>The full path of shard <paramref name="shardName"/> under <paramref name="rootDirectory"/>, or an error naming the index
    /// and shard.</summary>
    public static string Resolve(string rootDirectory, string shardName, string indexPath)
    {
        if (shardName.Any(char.IsControl))
        {
            throw Invalid(indexPath, shardName, "contains a control character");
        }

        // Both separators count on every platform: an index written on Windows must not escape on Linux and vice versa.
        var segments = shardName.Split(Separators);
        if (shardName.Length == 0 || Path.IsPathRooted(shardName) || Path.IsPathFullyQualified(shardName) || shardName[0] is '/' or '\\'
            || segments.Any(s => s == ".."))
        {
            throw new CheckpointException(
                ErrorIds.ShardOutsideCheckpoint, Mxfp4ErrorCategory.InvalidData,
                $"'{indexPath}': shard '{Printable(shardName)}' is empty, absolute or climbs out with '..'; shard names are relative to "
                    + "the checkpoint directory.",
                indexPath, shardName);
        }

        var kept = segments.Where(s => s.Length > 0 && s != ".").ToArray();
        if (kept.Length == 0)
        {
            throw Invalid(indexPath, shardName, "names the checkpoint directory itself, not a file");
        }

        return Path.GetFullPath(Path.Combine(rootDirectory, Path.Combine(kept)));
    }

    private static CheckpointException Invalid(string indexPath, string shardName, string why) => new(
        ErrorIds.InvalidCheckpointIndex, Mxfp4ErrorCategory.InvalidData, $"'{indexPath}': shard name '{Printable(shardName)}' {why}.",
            indexPath, shardName);

    /// <summary>The name with control characters shown as \uXXXX, so a message never carries a NUL or an escape sequence to the
    /// terminal.</summary>
    private static string Printable(string name)
        => string.Concat(name.Select(c => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString()));
}

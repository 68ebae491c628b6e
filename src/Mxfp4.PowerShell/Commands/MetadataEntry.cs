namespace Mxfp4.PowerShell.Commands;

/// <summary>One metadata key of a checkpoint: from a shard's <c>__metadata__</c> (Source = Header) or the index's <c>metadata</c> (Source =
/// Index).</summary>
public sealed class MetadataEntry
{
    public MetadataEntry(string path, string source, string key, string value)
    {
        Path = path;
        Source = source;
        Key = key;
        Value = value;
    }

    public string Path { get; }

    public string Source { get; }

    public string Key { get; }

    public string Value { get; }
}

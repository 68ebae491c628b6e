namespace Mxfp4.Core.Safetensors;

/// <summary>
/// A checkpoint (file, directory or index) cannot be opened as a whole: a bad index, a missing or escaping shard, a
/// tensor that is not where the index says. Errors inside one shard's header are <see cref="SafetensorsFormatException"/>.
/// </summary>
public sealed class CheckpointException : Mxfp4Exception
{
    public CheckpointException(string errorId, Mxfp4ErrorCategory category, string message, string path, string? shardPath = null,
        string? tensorName = null, Exception? innerException = null)
        : base(errorId, category, message, path, innerException)
    {
        Path = path;
        ShardPath = shardPath;
        TensorName = tensorName;
    }

    /// <summary>The checkpoint path the error is about (the index when there is one).</summary>
    public string Path { get; }

    /// <summary>The shard concerned, as a full path (or as the index spells it when it could not be resolved).</summary>
    public string? ShardPath { get; }

    public string? TensorName { get; }
}

using Mxfp4.Core.Safetensors;

namespace Mxfp4.Core.Verification;

/// <summary>
/// One thing wrong with a checkpoint. <see cref="Id"/> is the stable error id the strict reader would use for the same
/// fault (InvalidSafetensorsHeader, ShardNotFound, ScalesMissing, ...) or one of the verifier's own (HashMismatch,
/// IncompleteDownload, TensorNotIndexed, NonFiniteValues, ...).
/// </summary>
public sealed class VerificationProblem
{
    public VerificationProblem(string id, VerificationSeverity severity, Mxfp4ErrorCategory category, string path, string? tensor,
        string message, SafetensorsErrorKind? kind = null)
    {
        Id = id;
        Severity = severity;
        Category = category;
        Path = path;
        Tensor = tensor;
        Message = message;
        Kind = kind;
    }

    public string Id { get; }

    public VerificationSeverity Severity { get; }

    public Mxfp4ErrorCategory Category { get; }

    /// <summary>The file the problem is about, as a full path.</summary>
    public string Path { get; }

    /// <summary>The tensor concerned (the logical name for an MXFP4 pair), when the problem concerns one.</summary>
    public string? Tensor { get; }

    public string Message { get; }

    /// <summary>For InvalidSafetensorsHeader, the rule of the format the file breaks.</summary>
    public SafetensorsErrorKind? Kind { get; }

    internal static VerificationProblem Error(string id, Mxfp4ErrorCategory category, string path, string? tensor, string message)
        => new(id, VerificationSeverity.Error, category, path, tensor, message);

    internal static VerificationProblem Warning(string id, string path, string? tensor, string message)
        => new(id, VerificationSeverity.Warning, Mxfp4ErrorCategory.InvalidData, path, tensor, message);

    internal static VerificationProblem From(Mxfp4Exception exception, string path, string? tensor = null) => new(
        exception.ErrorId,
        VerificationSeverity.Error,
        exception.Category,
        path,
        tensor ?? (exception as SafetensorsFormatException)?.TensorName ?? (exception as CheckpointException)?.TensorName,
        exception.Message,
        (exception as SafetensorsFormatException)?.Kind);

    public override string ToString() => $"{Id}: {Message}";
}

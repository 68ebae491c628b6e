namespace Mxfp4.Core.Verification;

/// <summary>The verdict on a whole checkpoint: every file's result and the counts that decide it.</summary>
public sealed class CheckpointVerification
{
    public CheckpointVerification(string path, IReadOnlyList<FileVerification> files, int tensorCount, long hashedBytes, TimeSpan elapsed)
    {
        Path = path;
        Files = files;
        Problems = files.SelectMany(f => f.Problems).ToArray();
        Status = FileVerification.StatusOf(Problems);
        ErrorCount = Problems.Count(p => p.Severity == VerificationSeverity.Error);
        WarningCount = Problems.Count - ErrorCount;
        TensorCount = tensorCount;
        HashedBytes = hashedBytes;
        Elapsed = elapsed;
    }

    /// <summary>What was verified, as a full path: a file, directory or index.</summary>
    public string Path { get; }

    public VerificationStatus Status { get; }

    /// <summary>True when no error was found (warnings allowed).</summary>
    public bool Passed => Status != VerificationStatus.Failed;

    public int FileCount => Files.Count;

    public int ErrorCount { get; }

    public int WarningCount { get; }

    /// <summary>Tensors found in the shards that could be read.</summary>
    public int TensorCount { get; }

    /// <summary>Bytes read to compute SHA-256 hashes (0 without hashing).</summary>
    public long HashedBytes { get; }

    public TimeSpan Elapsed { get; }

    public IReadOnlyList<FileVerification> Files { get; }

    /// <summary>Every problem of every file, in file order.</summary>
    public IReadOnlyList<VerificationProblem> Problems { get; }
}

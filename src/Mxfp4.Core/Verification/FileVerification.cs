namespace Mxfp4.Core.Verification;

/// <summary>The verdict on one file of a checkpoint: a shard, the index, config.json, or a stray file the checks found.</summary>
public sealed class FileVerification
{
    public FileVerification(string path, IReadOnlyList<VerificationProblem> problems, string? sha256)
    {
        Path = path;
        Problems = problems;
        Sha256 = sha256;
        Status = StatusOf(problems);
    }

    /// <summary>Full path of the file.</summary>
    public string Path { get; }

    public VerificationStatus Status { get; }

    public IReadOnlyList<VerificationProblem> Problems { get; }

    /// <summary>The file's SHA-256 in lowercase hex, when hashing was asked for and the file is a shard.</summary>
    public string? Sha256 { get; }

    internal static VerificationStatus StatusOf(IEnumerable<VerificationProblem> problems)
    {
        var status = VerificationStatus.Passed;
        foreach (var problem in problems)
        {
            if (problem.Severity == VerificationSeverity.Error)
            {
                return VerificationStatus.Failed;
            }

            status = VerificationStatus.Warning;
        }

        return status;
    }
}

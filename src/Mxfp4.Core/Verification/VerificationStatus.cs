namespace Mxfp4.Core.Verification;

/// <summary>The verdict on one file or a whole checkpoint: no problem, only warnings, or at least one error.</summary>
public enum VerificationStatus
{
    Passed,
    Warning,
    Failed,
}

namespace Mxfp4.Core.Verification;

/// <summary>Whether a problem makes a checkpoint fail (an error) or only deserves attention (a warning).</summary>
public enum VerificationSeverity
{
    Error,
    Warning,
}

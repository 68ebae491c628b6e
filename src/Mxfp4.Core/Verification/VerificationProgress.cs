namespace Mxfp4.Core.Verification;

/// <summary>A progress report: bytes done of the bytes the current phase (hashing or scanning) will read.</summary>
public readonly record struct VerificationProgress(string Phase, long DoneBytes, long TotalBytes, string CurrentPath);

namespace Mxfp4.PowerShell.Tests.Pester;

public enum PesterOutcome
{
    Passed,
    Failed,
    Skipped,
}

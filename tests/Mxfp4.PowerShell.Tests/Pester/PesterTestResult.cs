namespace Mxfp4.PowerShell.Tests.Pester;

/// <summary>The outcome of one It (one row per -ForEach item).</summary>
/// <param name="Name">"Describe &gt; Context &gt; It", made unique within its file.</param>
/// <param name="Message">The Should message or error text; empty when passed.</param>
/// <param name="ErrorId">FullyQualifiedErrorId of the failure ("PesterAssertionFailed,Should" for Should).</param>
/// <param name="Position">Script position of the failure ("At file:line char:col" and the line).</param>
public sealed record PesterTestResult(
    string Name,
    PesterOutcome Outcome,
    string Message,
    string ErrorId,
    string Position,
    string ScriptStackTrace)
{
    /// <summary>The failure as a test runner shows it: message, position, script stack.</summary>
    public string Describe() =>
        string.Join(Environment.NewLine, new[] { $"{Name}: {Outcome}", Message, Position, ScriptStackTrace }.Where(part => !string.IsNullOrWhiteSpace(part)));
}

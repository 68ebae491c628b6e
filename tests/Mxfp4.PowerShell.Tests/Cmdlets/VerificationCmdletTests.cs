using System.Diagnostics;
using System.Management.Automation;
using Xunit;

namespace Mxfp4.PowerShell.Tests.Cmdlets;

/// <summary>Test-SafetensorsCheckpoint and Compare-SafetensorsCheckpoint as a pwsh user sees them: views and Ctrl+C.</summary>
public sealed class VerificationCmdletTests : IClassFixture<LargeCheckpointFixture>, IDisposable
{
    private readonly LargeCheckpointFixture _checkpoint;
    private readonly ModuleSession _session = new();

    public VerificationCmdletTests(LargeCheckpointFixture checkpoint) => _checkpoint = checkpoint;

    private static Dictionary<string, object?> Sample =>
        new() { ["sample"] = Path.Combine(RepositoryLayout.RepositoryRoot, "samples", "gpt-oss-tiny") };

    public void Dispose() => _session.Dispose();

    [Fact]
    public void Verification_results_print_status_problem_count_and_file()
    {
        var result = _session.Run("Test-SafetensorsCheckpoint $sample", Sample);
        Assert.Empty(result.Errors);
        Assert.Matches(@"Status\s+Problems\s+File", result.HostText);
        Assert.Matches(@"Passed\s+0\s+model-00001-of-00002\.safetensors", result.HostText);

        // After the file records pwsh lists the summary; on its own it prints through its table view.
        var summary = _session.Run(
            "Test-SafetensorsCheckpoint $sample | "
                + "Where-Object { $_.PSObject.TypeNames[0] -eq 'Mxfp4.Core.Verification.CheckpointVerification' }",
            Sample);
        Assert.Matches(@"Status\s+Files\s+Tensors\s+Errors\s+Warnings\s+Path", summary.HostText);
        Assert.Matches(@"Passed\s+4\s+33\s+0\s+0", summary.HostText);
    }

    [Fact]
    public void Comparisons_print_status_equality_and_differences()
    {
        var result = _session.Run("Compare-SafetensorsCheckpoint $sample $sample -Name '*layers.0*down_proj'", Sample);
        Assert.Empty(result.Errors);
        Assert.Matches(@"Name\s+Status\s+Equal\s+MaxAbsDiff\s+MaxRelDiff\s+Different", result.HostText);
        Assert.Matches(@"model\.layers\.0\.mlp\.experts\.down_proj\s+Compared\s+True\s+0\s+0\s+0", result.HostText);
    }

    [Fact]
    public void Stopping_a_comparison_is_prompt_and_releases_the_files()
    {
        using var shell = System.Management.Automation.PowerShell.Create(_session.Runspace);
        _session.Runspace.SessionStateProxy.SetVariable("checkpoint", _checkpoint.Path);
        shell.AddScript("foreach ($i in 1..20) { Compare-SafetensorsCheckpoint $checkpoint $checkpoint -ThrottleLimit 1 | Out-Null }");
        var running = shell.BeginInvoke();
        Thread.Sleep(400);
        Assert.False(running.IsCompleted, "the comparison finished before it could be stopped; make it larger");

        var clock = Stopwatch.StartNew();
        shell.Stop();
        clock.Stop();
        Assert.Equal(PSInvocationState.Stopped, shell.InvocationStateInfo.State);
        Assert.True(clock.ElapsedMilliseconds < 3000, $"Stop took {clock.ElapsedMilliseconds} ms.");
        Assert.DoesNotContain(_checkpoint.Path, OpenFiles.MappedOrOpen());
    }
}

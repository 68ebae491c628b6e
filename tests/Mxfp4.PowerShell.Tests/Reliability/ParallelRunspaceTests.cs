using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Xunit;

namespace Mxfp4.PowerShell.Tests.Reliability;

/// <summary>One checkpoint read by four runspaces at once, each on its own thread, gives what one runspace gives alone.</summary>
public sealed class ParallelRunspaceTests : IDisposable
{
    private const string Script = """
        $header = Get-SafetensorsHeader $checkpoint |
            ForEach-Object { '{0} {1} [{2}] {3}' -f $_.Name, $_.DType, ($_.Shape -join ','), $_.DataOffset }
        $bytes = foreach ($i in 1..5) { Get-Mxfp4Tensor $checkpoint | ConvertFrom-Mxfp4 -Format BF16 -AsByteStream }
        $norm = Get-SafetensorsHeader $checkpoint -Name model.norm.weight | ConvertFrom-Mxfp4
        $vector = [float[]](1..64 | ForEach-Object { [math]::Sin($_) })
        $matvec = foreach ($i in 1..5) { Get-Mxfp4Tensor $checkpoint | Invoke-Mxfp4MatVec -Vector $vector -Expert 0..3 }
        [pscustomobject]@{
            Header = $header -join "`n"
            Bytes = [Convert]::ToBase64String([byte[]]($bytes | ForEach-Object { $_ }))
            Norm = ($norm.Data | ForEach-Object { [BitConverter]::SingleToInt32Bits($_) }) -join ','
            MatVec = ($matvec |
                ForEach-Object { ($_.Values | ForEach-Object { [BitConverter]::SingleToInt32Bits($_) }) -join ',' }) -join ';'
        }
        """;

    private readonly SmallCheckpoint _checkpoint = new();
    private readonly ModuleSession _session = new();

    public void Dispose()
    {
        _session.Dispose();
        _checkpoint.Dispose();
    }

    [Fact]
    public void Four_runspaces_in_parallel_match_a_sequential_run()
    {
        string expected = Fingerprint(_session.Runspace);

        var results = new string[4];
        var failures = new Exception?[4];
        var threads = Enumerable.Range(0, 4).Select(i => new Thread(() =>
        {
            try
            {
                using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState());
                runspace.Open();
                results[i] = Fingerprint(runspace);
            }
#pragma warning disable CA1031 // reported on the test thread below
            catch (Exception e)
#pragma warning restore CA1031
            {
                failures[i] = e;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.All(failures, Assert.Null);
        Assert.All(results, r => Assert.Equal(expected, r));
    }

    private InitialSessionState InitialSessionState()
    {
        var state = System.Management.Automation.Runspaces.InitialSessionState.CreateDefault2();
        state.ImportPSModule(_session.ModulePath);
        return state;
    }

    private string Fingerprint(Runspace runspace)
    {
        using var shell = System.Management.Automation.PowerShell.Create(runspace);
        runspace.SessionStateProxy.SetVariable("checkpoint", _checkpoint.Path);
        shell.AddScript(Script);
        var output = shell.Invoke();
        Assert.True(shell.Streams.Error.Count == 0, string.Join(Environment.NewLine, shell.Streams.Error.Select(e => e.ToString())));
        var result = Assert.Single(output);
        string fingerprint = string.Join("|", result.Properties.Select(p => p.Name + "=" + p.Value));
        Assert.Contains("down_proj_blocks", fingerprint, StringComparison.Ordinal);
        Assert.True(((string)result.Properties["MatVec"].Value).Length > 1000);
        return fingerprint;
    }
}

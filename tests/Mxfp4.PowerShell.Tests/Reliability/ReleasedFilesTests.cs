using Mxfp4.PowerShell.Tests.Cmdlets;
using Xunit;

namespace Mxfp4.PowerShell.Tests.Reliability;

/// <summary>When a pipeline ends, normally or after an error mid-way, no map or handle of the checkpoint stays open.</summary>
public sealed class ReleasedFilesTests : IDisposable
{
    private readonly SmallCheckpoint _checkpoint = new();
    private readonly ModuleSession _session = new();
    private readonly string _output = Path.Combine(Path.GetTempPath(), "mxfp4-released-" + Guid.NewGuid().ToString("N"));

    public ReleasedFilesTests() => Directory.CreateDirectory(_output);

    public static TheoryData<string, bool> Pipelines => new()
    {
        { "Get-SafetensorsHeader $checkpoint | Out-Null", false },
        { "Get-Mxfp4Tensor $checkpoint | Out-Null", false },
        { "Get-Mxfp4Tensor $checkpoint | ConvertFrom-Mxfp4 | Out-Null", false },
        { "Get-Mxfp4Tensor $checkpoint | ConvertFrom-Mxfp4 -AsByteStream | Out-Null", false },
        { "Get-Mxfp4Tensor $checkpoint | ConvertFrom-Mxfp4 -OutFile ([IO.Path]::Combine($output, 'w.bin'))", false },
        { "$s = Get-Mxfp4Tensor $checkpoint | ConvertFrom-Mxfp4 -AsStream; $s.ReadByte() | Out-Null; $s.Dispose()", false },
        { "ConvertFrom-Mxfp4 -Path $checkpoint -Destination ([IO.Path]::Combine($output, 'converted')) -Format F16", false },
        { "Get-Mxfp4Tensor $checkpoint | Invoke-Mxfp4MatVec -Vector ([float[]]::new(64)) | Out-Null", false },
        // Errors mid-way: a good tensor first, then one that fails.
        { "Get-Mxfp4Tensor $checkpoint | ForEach-Object { $_; 'not a tensor' } | ConvertFrom-Mxfp4 | Out-Null", true },
        { "Get-Mxfp4Tensor $checkpoint | ForEach-Object { $_; 'not a tensor' } | ConvertFrom-Mxfp4 -OutFile ([IO.Path]::Combine($output, "
            + "'bad.bin'))", true },
        { "Get-Mxfp4Tensor $checkpoint | Invoke-Mxfp4MatVec -Vector ([float[]]::new(63))", true },
        { "Get-Mxfp4Tensor $checkpoint | Invoke-Mxfp4MatVec -Vector ([float[]]::new(64)) -Expert 9", true },
        { "Get-Mxfp4Tensor $checkpoint | ForEach-Object { $_; throw 'stop here' } | ConvertFrom-Mxfp4 -AsByteStream | Out-Null", true },
        { "ConvertFrom-Mxfp4 -Path $checkpoint -Destination ([IO.Path]::Combine($output, 'missing', 'converted'))", true },
    };

    public void Dispose()
    {
        _session.Dispose();
        _checkpoint.Dispose();
        Directory.Delete(_output, recursive: true);
    }

    [Theory]
    [MemberData(nameof(Pipelines))]
    public void No_map_or_handle_of_the_checkpoint_outlives_the_pipeline(string script, bool fails)
    {
        var result = _session.Run(script, new Dictionary<string, object?> { ["checkpoint"] = _checkpoint.Path, ["output"] = _output });

        Assert.True(fails == result.Errors.Count > 0, string.Join(Environment.NewLine, result.Errors.Select(e => e.ToString())));
        Assert.DoesNotContain(_checkpoint.Path, OpenFiles.MappedOrOpen());
        Assert.DoesNotContain(OpenFiles.MappedOrOpen(), p => p.StartsWith(_output, StringComparison.Ordinal));
    }
}

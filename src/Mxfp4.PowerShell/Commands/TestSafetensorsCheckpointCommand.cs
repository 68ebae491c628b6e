using System.Management.Automation;
using Mxfp4.Core;
using Mxfp4.Core.Verification;
using Mxfp4.PowerShell.Infrastructure;

namespace Mxfp4.PowerShell.Commands;

/// <summary>
/// Checks that a checkpoint is whole and consistent, reporting every problem: one result per file and a summary,
/// and every problem also as an error record (or a warning) under its stable id, so scripts and CI fail on any error.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "SafetensorsCheckpoint", DefaultParameterSetName = PathSet,
    HelpUri = "https://github.com/mxfp4/Mxfp4/blob/main/docs/en-US/Test-SafetensorsCheckpoint.md")]
[OutputType(typeof(FileVerification), typeof(CheckpointVerification))]
[OutputType(typeof(bool))]
public sealed class TestSafetensorsCheckpointCommand : Mxfp4Cmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    [Parameter(
        Mandatory = true,
        Position = 0,
        ParameterSetName = PathSet,
        ValueFromPipeline = true,
        ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    [Parameter]
    public SwitchParameter Hash { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Manifest { get; set; }

    [Parameter]
    public SwitchParameter Deep { get; set; }

    [Parameter]
    public SwitchParameter Quiet { get; set; }

    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

    protected override void ProcessRecord()
    {
        var options = new VerificationOptions
        {
            Hash = Hash,
            Deep = Deep,
            ManifestPath = Manifest is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Manifest),
            Threads = ThrottleLimit,
        };
        if (!Quiet)
        {
            ForEachPath(Path, LiteralPath, path => Verify(path, options));
            return;
        }

        foreach (var path in QuietlyResolved())
        {
            if (path is null)
            {
                WriteObject(false);
                continue;
            }

            ProcessInput(path, () => Verify(path, options), _ => WriteObject(false));
        }
    }

    private void Verify(string path, VerificationOptions options)
    {
        var progress = new ProgressReporter(this, 4, $"Verifying {path}");
        var result = CheckpointVerifier.Verify(
            path,
            options,
            p => progress.Report(p.DoneBytes, p.TotalBytes, $"{p.Phase}: {Display.Size(p.DoneBytes)} of {Display.Size(p.TotalBytes)}"),
            PipelineStopToken);
        progress.Complete();
        Write(result);
    }

    /// <summary>With -Quiet a path that is not there is a plain "no" (null here), not an error record.</summary>
    private IEnumerable<string?> QuietlyResolved()
    {
        bool literal = ParameterSetName == LiteralPathSet;
        foreach (var path in literal ? LiteralPath : Path)
        {
            var resolved = new List<string>();
            try
            {
                if (literal)
                {
                    resolved.Add(SessionState.Path.GetUnresolvedProviderPathFromPSPath(path));
                }
                else
                {
                    resolved.AddRange(SessionState.Path.GetResolvedProviderPathFromPSPath(path, out var provider)
                        .Where(_ => provider.Name == "FileSystem"));
                }
            }
            catch (Exception ex) when (ex is ItemNotFoundException
                or NotSupportedException
                or System.Management.Automation.DriveNotFoundException
                or ProviderNotFoundException)
            {
            }

            if (resolved.Count == 0)
            {
                yield return null;
            }

            foreach (var item in resolved)
            {
                yield return item;
            }
        }
    }

    private void Write(CheckpointVerification result)
    {
        if (Quiet)
        {
            WriteObject(result.Passed);
            return;
        }

        foreach (var file in result.Files)
        {
            WriteObject(file);
            foreach (var problem in file.Problems)
            {
                if (problem.Severity == VerificationSeverity.Warning)
                {
                    WriteWarning($"{problem.Id}: {problem.Message}");
                }
                else
                {
                    var exception = new Mxfp4Exception(problem.Id, problem.Category, problem.Message, problem.Tensor ?? problem.Path);
                    WriteError(ErrorRecordOf(exception));
                }
            }
        }

        WriteObject(result);
    }
}

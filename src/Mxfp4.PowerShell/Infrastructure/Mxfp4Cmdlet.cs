using System.Management.Automation;
using Mxfp4.Core;

namespace Mxfp4.PowerShell.Infrastructure;

/// <summary>
/// What every Mxfp4 cmdlet shares: provider-aware path resolution, one translation of engine errors into error
/// records, and a cancellation token that Ctrl+C (<see cref="StopProcessing"/>) trips.
/// </summary>
public abstract class Mxfp4Cmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline is stopped.</summary>
    protected CancellationToken PipelineStopToken => _stopping.Token;

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected override void StopProcessing() => _stopping.Cancel();

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stopping.Dispose();
        }
    }

    /// <summary>
    /// Resolves -Path (wildcards) or -LiteralPath to file-system paths. A path that matches nothing, or is not on the
    /// file system, becomes a non-terminating error and the remaining paths go on.
    /// </summary>
    protected IEnumerable<string> ResolvePaths(IEnumerable<string> paths, bool literal)
    {
        foreach (var path in paths)
        {
            var resolved = new List<string>();
            try
            {
                ProviderInfo provider;
                if (literal)
                {
                    string full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
                    if (!File.Exists(full) && !Directory.Exists(full))
                    {
                        throw new ItemNotFoundException($"Cannot find path '{full}' because it does not exist.");
                    }

                    resolved.Add(full);
                }
                else
                {
                    resolved.AddRange(SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider));
                }

                if (provider.Name != "FileSystem")
                {
                    WriteError(new ErrorRecord(
                        new ArgumentException($"The path '{path}' is on the {provider.Name} provider; Mxfp4 reads files only."),
                        "NotFileSystemPath",
                        ErrorCategory.InvalidArgument,
                        path));
                    continue;
                }
            }
            catch (ItemNotFoundException ex)
            {
                WriteError(new ErrorRecord(ex, "PathNotFound", ErrorCategory.ObjectNotFound, path));
                continue;
            }

            foreach (var item in resolved)
            {
                yield return item;
            }
        }
    }

    /// <summary>Writes an engine failure as a non-terminating error whose id is the engine's stable error id.</summary>
    protected void WriteEngineError(Mxfp4Exception exception, object? target = null)
        => WriteError(ErrorRecords.From(exception, target));
}

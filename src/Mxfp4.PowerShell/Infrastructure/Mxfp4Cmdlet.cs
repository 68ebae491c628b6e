using System.Management.Automation;
using Mxfp4.Core;
using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Safetensors;

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
                    if (resolved.Count == 0)
                    {
                        // A wildcard that matches nothing resolves to an empty list without complaint.
                        throw new ItemNotFoundException($"Cannot find path '{path}': no file matches it.");
                    }
                }

                if (provider.Name != "FileSystem")
                {
                    WriteError(new ErrorRecord(
                        new ArgumentException($"The path '{path}' is on the {provider.Name} provider; Mxfp4 reads files only."),
                        ErrorIds.NotFileSystemPath,
                        ErrorCategory.InvalidArgument,
                        path));
                    continue;
                }
            }
            catch (ItemNotFoundException ex)
            {
                WriteError(new ErrorRecord(ex, ErrorIds.PathNotFound, ErrorCategory.ObjectNotFound, path));
                continue;
            }

            foreach (var item in resolved)
            {
                yield return item;
            }
        }
    }

    /// <summary>
    /// Opens a checkpoint with Ctrl+C honoured while its headers and index are parsed and its shards resolved, which
    /// takes seconds for a header of a million tensors.
    /// </summary>
    protected Checkpoint OpenCheckpoint(string path)
    {
        try
        {
            return Checkpoint.Open(path, PipelineStopToken);
        }
        catch (OperationCanceledException) when (PipelineStopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>
    /// Pairs blocks with scales and yields the MXFP4 tensors -Name selects (by the logical name or either half's);
    /// a pairing failure that -Name selects becomes an error record and the other tensors go on.
    /// </summary>
    private protected IEnumerable<Mxfp4TensorInfo> SelectedPairs(IEnumerable<TensorInfo> tensors, NameFilter filter)
    {
        foreach (var result in Mxfp4Pairing.Pair(tensors))
        {
            if (result.Tensor is { } tensor)
            {
                if (filter.MatchesAny(tensor.Name, tensor.Blocks.Name, tensor.Scales.Name))
                {
                    yield return tensor;
                }
            }
            else if (result.Error is { } error && filter.MatchesAny(error.BlocksName, error.ScalesName))
            {
                WriteInputFailure(error, error.BlocksName);
            }
        }
    }

    /// <summary>Failures that concern one input: reported as an error record, and the next input goes on.</summary>
    protected static bool IsInputFailure(Exception exception)
        => exception is Mxfp4Exception or IOException or UnauthorizedAccessException;

    /// <summary>
    /// Writes a per-input failure as a non-terminating error: an engine failure under its stable error id, a file
    /// system failure the engine did not anticipate (a file locked or vanished under us) as FileAccessFailed.
    /// </summary>
    protected void WriteInputFailure(Exception exception, object? target = null)
        => WriteError(exception is Mxfp4Exception engine
            ? ErrorRecords.From(engine, target)
            : new ErrorRecord(exception, ErrorIds.FileAccessFailed, ErrorCategory.ReadError, target));
}

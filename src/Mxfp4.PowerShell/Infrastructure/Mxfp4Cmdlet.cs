using System.Management.Automation;
using Mxfp4.Core;
using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;

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

    /// <summary>Resolves whichever of -Path and -LiteralPath the parameter set bound (the other stays empty).</summary>
    protected IEnumerable<string> ResolvePaths(string[] path, string[] literalPath)
        => literalPath.Length > 0 ? ResolvePaths(literalPath, literal: true) : ResolvePaths(path, literal: false);

    /// <summary>
    /// The per-path loop of every -Path/-LiteralPath parameter set: each resolved path is processed in turn, a failure
    /// of one becomes its error record and the next path goes on.
    /// </summary>
    protected void ForEachPath(string[] path, string[] literalPath, Action<string> process)
    {
        foreach (var resolved in ResolvePaths(path, literalPath))
        {
            ProcessInput(resolved, () => process(resolved));
        }
    }

    /// <summary>As <see cref="ForEachPath"/>, with each path opened as a checkpoint (and closed after it).</summary>
    protected void ForEachCheckpoint(string[] path, string[] literalPath, Action<string, Checkpoint> process)
        => ForEachPath(path, literalPath, resolved =>
        {
            // Ctrl+C is honoured while headers and index are parsed, which takes seconds for a million tensors.
            using var checkpoint = Checkpoint.Open(resolved, PipelineStopToken);
            process(resolved, checkpoint);
        });

    /// <summary>
    /// Runs the work for one input: a failure of that input becomes an error record with <paramref name="target"/> (or
    /// goes to <paramref name="onFailure"/>) and the next input goes on; a cancellation because the pipeline is
    /// stopping becomes the pipeline's own stop.
    /// </summary>
    protected void ProcessInput(object? target, Action work, Action<Exception>? onFailure = null)
    {
        try
        {
            work();
        }
        catch (Exception ex) when (IsInputFailure(ex))
        {
            if (onFailure is null)
            {
                WriteInputFailure(ex, target);
            }
            else
            {
                onFailure(ex);
            }
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
            ? ErrorRecordOf(engine, target)
            : new ErrorRecord(exception, ErrorIds.FileAccessFailed, ErrorCategory.ReadError, target));

    /// <summary>The written files as the FileSystem provider gives them (what Get-Item writes), so they show Mode and Length
    /// and carry PSPath.</summary>
    protected void WriteItems(IEnumerable<string> files)
        => WriteObject(InvokeProvider.Item.Get([.. files], force: true, literalPath: true), enumerateCollection: true);

    /// <summary>An engine failure as an error record, with this cmdlet's advice for it (<see cref="RecommendedActions"/>).</summary>
    private protected ErrorRecord ErrorRecordOf(Mxfp4Exception exception, object? target = null)
        => RecommendedActions.Apply(ErrorRecords.From(exception, target), exception, MyInvocation);
}

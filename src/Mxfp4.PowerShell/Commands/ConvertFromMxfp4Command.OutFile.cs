using System.Management.Automation;
using Mxfp4.Core;
using Mxfp4.Core.Conversion;
using Mxfp4.Core.Decoding;
using Mxfp4.Core.FileSystem;
using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;
using Mxfp4.PowerShell.Infrastructure;

namespace Mxfp4.PowerShell.Commands;

/// <summary>-OutFile: every piped tensor appended to one raw file, committed only if all of them succeeded.</summary>
public sealed partial class ConvertFromMxfp4Command
{
    private void OpenOutFile()
    {
        string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutFile);
        if (!ShouldProcess(path, $"Write dequantized {ChosenFormat} tensors"))
        {
            return;
        }

        try
        {
            _outFile = new OutFileTarget(OutFileWriter.Create(path, Force));
        }
        catch (Mxfp4Exception ex)
        {
            ThrowTerminatingError(ErrorRecordOf(ex, path));
        }
    }

    private void AppendToOutFile(TensorReader reader, TensorSlice slice)
    {
        var chunked = new ChunkedReader(reader.Source, slice, ChosenFormat, ThrottleLimit);
        WithProgress(
            reader.Name,
            slice,
            progress => chunked.CopyTo(_outFile!.Write, ChunkedReader.CopyChunkBytes, progress, PipelineStopToken));
    }

    private void CommitOutFile(OutFileTarget outFile)
    {
        if (outFile.Failed)
        {
            WriteError(new ErrorRecord(
                new InvalidOperationException($"'{outFile.File.Path}' was not written because an input failed; nothing was changed."),
                ErrorIds.OutFileNotWritten,
                ErrorCategory.WriteError,
                outFile.File.Path));
            return;
        }

        if (!outFile.Received)
        {
            // Most often the command before this one failed (a mistyped path): an empty file must not replace a good one.
            WriteError(new ErrorRecord(
                new InvalidOperationException(
                    $"'{outFile.File.Path}' was not written because no tensor reached ConvertFrom-Mxfp4; nothing was changed. "
                        + "Check the errors of the commands before it in the pipeline."),
                ErrorIds.OutFileNotWritten,
                ErrorCategory.WriteError,
                outFile.File.Path));
            return;
        }

        try
        {
            outFile.File.Commit();
        }
        catch (Mxfp4Exception ex)
        {
            WriteInputFailure(ex);
            return;
        }

        if (PassThru)
        {
            WriteItems([outFile.File.Path]);
        }
    }

    /// <summary>
    /// -OutFile naming a shard the input lives in would, with -Force, replace that shard while it is being read (and
    /// destroy the checkpoint), so it stops the pipeline before anything is committed.
    /// </summary>
    private void RefuseOutFileAsInput(string outFile, object? input)
    {
        string[] sources = input switch
        {
            Mxfp4TensorInfo mxfp4 => [mxfp4.Blocks.Path, mxfp4.Scales.Path],
            TensorInfo plain => [plain.Path],
            _ => [],
        };
        // Compared as files (device and inode), so no spelling of the path and no link on the way can hide a source.
        if (sources.Any(source => FileIdentity.SameFile(source, outFile)))
        {
            _outFile!.MarkFailed();
            ThrowTerminatingError(ErrorRecordOf(
                new Mxfp4Exception(
                    ErrorIds.OutputIsInput,
                    Mxfp4ErrorCategory.InvalidArgument,
                    $"-OutFile '{outFile}' is the file that holds the input tensor; writing it would destroy the checkpoint. "
                        + "Choose another -OutFile.",
                    outFile),
                outFile));
        }
    }

    /// <summary>The one -OutFile of an invocation: every piped tensor is appended, and it is committed only if all succeeded.</summary>
    private sealed class OutFileTarget(OutFileWriter file)
    {
        internal OutFileWriter File { get; } = file;

        internal bool Failed { get; private set; }

        /// <summary>Whether any input reached the cmdlet; without one there is nothing to write.</summary>
        internal bool Received { get; private set; }

        internal void MarkFailed() => Failed = true;

        internal void MarkReceived() => Received = true;

        internal void Write(ReadOnlySpan<byte> chunk)
        {
            try
            {
                File.Stream.Write(chunk);
            }
            catch (IOException ex)
            {
                throw new OutputWriteException(File.Path, $"Writing '{File.Path}' failed: {ex.Message}", ex);
            }
        }
    }
}

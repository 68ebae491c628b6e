using Mxfp4.Core;
using Mxfp4.Core.Decoding;
using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Tensors;

namespace Mxfp4.PowerShell.Commands;

/// <summary>Piped tensors into memory (TensorData), as a stream (-AsStream) or as byte chunks (-AsByteStream).</summary>
public sealed partial class ConvertFromMxfp4Command
{
    private TensorData Materialize(TensorReader reader, TensorSlice slice)
    {
        var chunked = new ChunkedReader(reader.Source, slice, ChosenFormat, ThrottleLimit);
        var data = TensorMaterializer.Allocate(chunked, reader.Name, MemoryLimit);
        WithProgress(reader.Name, slice, progress => TensorMaterializer.Fill(chunked, data, progress, PipelineStopToken));
        return new TensorData(reader.Name, ChosenFormat, slice.Shape, data, slice.Expert);
    }

    private void WriteByteChunks(TensorReader reader, TensorSlice slice)
    {
        var chunked = new ChunkedReader(reader.Source, slice, ChosenFormat, ThrottleLimit);
        WithProgress(reader.Name, slice, progress =>
        {
            foreach (var chunk in chunked.ReadChunks(ChunkedReader.ByteStreamChunkBytes, progress, PipelineStopToken))
            {
                WriteObject(chunk, enumerateCollection: false);
            }
        });
    }

    /// <summary>
    /// A stream holds a lease on the reader's files, so it stays usable after this pipeline ends without opening the
    /// input again; the caller disposes it.
    /// </summary>
    private DequantizingStream OpenStream(TensorReader reader, TensorSlice slice)
    {
        if (!slice.IsContiguous)
        {
            throw new Mxfp4Exception(
                ErrorIds.InvalidSlice,
                Mxfp4ErrorCategory.InvalidArgument,
                $"-AsStream serves one contiguous range; select consecutive rows of '{reader.Name}'.",
                reader.Name);
        }

        var (first, count) = slice.Ranges.Count == 0 ? (0L, 0L) : slice.Ranges[0];
        var lease = reader.Lease();
        try
        {
            return new DequantizingStream(reader.Source, ChosenFormat, first, count, ThrottleLimit, lease);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }
}

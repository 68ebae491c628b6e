using System.Runtime.InteropServices;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Quantization;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;
using Mxfp4.Core.Threading;

namespace Mxfp4.Core.Conversion;

/// <summary>
/// Reads and encodes a tensor's pieces on the pinned workers: each worker claims a piece, reads its input with read
/// calls (<see cref="ShardInput"/>) into the worker's own tile of <see cref="TileBytes"/> and encodes it from there
/// while the tile is still in cache. So the input crosses memory once, every core reads (a single reader thread is
/// slower than the encoder), one worker's read overlaps another's encode, and the caller's
/// <see cref="WritePipeline"/> writes the previous output meanwhile. Pieces are claimed one at a time
/// (<see cref="PieceClaims"/>), so a worker held up by the machine's load does not hold up the others. Memory: one tile
/// per worker.
/// </summary>
internal sealed unsafe class ReadingEncoder(ShardInput input, int threads, CancellationToken cancellationToken)
{
    /// <summary>Input bytes a worker reads at a time: 32 rows of a 5760-wide BF16 expert fit, and half a core's L2.</summary>
    internal const int TileBytes = 512 << 10;

    /// <summary>Elements widened to float32 at a time on the stack, for F16.</summary>
    private const int WidenElements = 1024;

    private readonly int _workers = Math.Clamp(threads == 0 ? WorkerPool.Shared.ThreadCount : threads, 1, WorkerPool.Shared.ThreadCount);
    private readonly byte[]?[] _tiles = new byte[]?[WorkerPool.Shared.ThreadCount];

    /// <summary>
    /// Encodes blocks [<paramref name="firstBlock"/>, +<paramref name="count"/>) of a tensor stored in encoding order
    /// (the natural layout) into <paramref name="blocks"/> (16 bytes a block) and <paramref name="scales"/>. Returns how
    /// many held NaN or ±Inf.
    /// </summary>
    internal long EncodeRows(QuantizedTensor tensor, long firstBlock, int count, byte* blocks, byte* scales)
    {
        var source = tensor.Source;
        int blockBytes = Mxfp4Format.BlockElements * ElementBytes(source);
        int pieceBlocks = TileBytes / blockBytes;
        nint blocksAddress = (nint)blocks;
        nint scalesAddress = (nint)scales;
        return Run(source, (count + pieceBlocks - 1) / pieceBlocks, (tile, piece) =>
        {
            int first = checked((int)(piece * pieceBlocks));
            int n = Math.Min(pieceBlocks, count - first);
            var bytes = tile.AsSpan(0, n * blockBytes);
            input.Read(source, source.DataOffset + ((firstBlock + first) * blockBytes), bytes);
            return EncodeContiguous(bytes, source.DType,
                new Span<byte>((byte*)blocksAddress + ((long)first * Mxfp4Format.BlockBytes), n * Mxfp4Format.BlockBytes),
                new Span<byte>((byte*)scalesAddress + first, n), tensor.Rule);
        });
    }

    /// <summary>
    /// Encodes part of one expert of transformers' <c>[E, in, out]</c> layout along <c>in</c>: output rows (source
    /// columns) [<paramref name="firstRow"/>, <paramref name="endRow"/>) and blocks [<paramref name="firstBand"/>,
    /// <paramref name="endBand"/>) of each, as they lie in the <c>[E, out, in/32]</c> output, into
    /// <paramref name="blocks"/> (row by row, only those blocks); the scales go to their place in
    /// <paramref name="tensorScales"/>, the whole tensor's. A piece is 32 source rows (one band) by as many columns as a
    /// tile holds, read whole rows at once where they fit.
    /// </summary>
    internal long EncodeColumns(QuantizedTensor tensor, long expert, long firstRow, long endRow, long firstBand, long endBand, byte* blocks,
        byte* tensorScales)
    {
        var source = tensor.Source;
        long inRows = source.Shape[1];
        long outColumns = source.Shape[2];
        long groups = inRows / Mxfp4Format.BlockElements;
        int elementBytes = ElementBytes(source);
        long maxColumns = TileBytes / (Mxfp4Format.BlockElements * elementBytes);
        long width = endRow - firstRow;
        long slices = (width + maxColumns - 1) / maxColumns;
        long bands = endBand - firstBand;
        nint blocksAddress = (nint)blocks;
        nint scalesAddress = (nint)tensorScales;
        return Run(source, bands * slices, (tile, piece) =>
        {
            long band = firstBand + (piece / slices);
            long firstColumn = firstRow + (piece % slices * maxColumns);
            int columns = (int)Math.Min(maxColumns, endRow - firstColumn);
            int rowBytes = columns * elementBytes;
            long firstElement = ((expert * inRows) + (band * Mxfp4Format.BlockElements)) * outColumns;
            if (columns == outColumns)
            {
                input.Read(source, source.DataOffset + (firstElement * elementBytes), tile.AsSpan(0, Mxfp4Format.BlockElements * rowBytes));
            }
            else
            {
                for (int k = 0; k < Mxfp4Format.BlockElements; k++)
                {
                    long element = firstElement + (k * outColumns) + firstColumn;
                    input.Read(source, source.DataOffset + (element * elementBytes), tile.AsSpan(k * rowBytes, rowBytes));
                }
            }

            fixed (byte* tilePointer = tile)
            {
                return Mxfp4Encoder.EncodeColumns(tilePointer, source.DType, columns, columns,
                    (byte*)blocksAddress + ((((firstColumn - firstRow) * bands) + (band - firstBand)) * Mxfp4Format.BlockBytes),
                    (nint)(bands * Mxfp4Format.BlockBytes),
                    (byte*)scalesAddress + (((expert * outColumns) + firstColumn) * groups) + band,
                    (nint)groups,
                    tensor.Rule,
                    Mxfp4Encoder.EncodesBFloat16InPlace);
            }
        });
    }

    /// <summary>
    /// Runs <paramref name="encodePiece"/>(tile, piece) for every piece in [0, <paramref name="pieces"/>) until all are
    /// done, a part has failed or the run is cancelled (<see cref="PieceClaims"/> says which piece a part takes next).
    /// </summary>
    private long Run(TensorInfo source, long pieces, Func<byte[], long, long> encodePiece)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // Opens the shard on this thread: the workers then only look it up.
        input.Read(source, source.DataOffset, []);
        int workers = (int)Math.Min(_workers, pieces);
        var claims = new PieceClaims(pieces, workers);
        long nonFinite = 0;
        int failed = 0;
        WorkerPool.Shared.Run(workers, part =>
        {
            var tile = _tiles[part] ??= GC.AllocateUninitializedArray<byte>(TileBytes, pinned: true);
            long found = 0;
            try
            {
                for (long piece = claims.Next(part);
                    piece >= 0 && Volatile.Read(ref failed) == 0 && !cancellationToken.IsCancellationRequested;
                    piece = claims.Next(part))
                {
                    found += encodePiece(tile, piece);
                }
            }
            catch
            {
                Volatile.Write(ref failed, 1);
                throw;
            }

            Interlocked.Add(ref nonFinite, found);
        });
        cancellationToken.ThrowIfCancellationRequested();
        return nonFinite;
    }

    /// <summary>
    /// Each part owns a contiguous range of pieces and takes them from its front; a part whose range is empty takes the
    /// last piece of the range with the most left. So parts work far apart, never writing the same cache lines but at
    /// range ends (the transposed layout's pieces interleave in the output: adjacent bands share lines of blocks and
    /// scales), and a part held up by the machine's load is relieved by the others.
    /// </summary>
    private sealed class PieceClaims
    {
        private readonly long[] _next;
        private readonly long[] _end;

        internal PieceClaims(long pieces, int parts)
        {
            _next = new long[parts];
            _end = new long[parts];
            for (int part = 0; part < parts; part++)
            {
                (_next[part], _end[part]) = Partition.Range(pieces, parts, part);
            }
        }

        /// <summary>The next piece for <paramref name="part"/>, or -1 when none is left.</summary>
        internal long Next(int part)
        {
            lock (_next)
            {
                if (_next[part] < _end[part])
                {
                    return _next[part]++;
                }

                int fullest = 0;
                for (int other = 1; other < _next.Length; other++)
                {
                    if (_end[other] - _next[other] > _end[fullest] - _next[fullest])
                    {
                        fullest = other;
                    }
                }

                return _next[fullest] < _end[fullest] ? --_end[fullest] : -1;
            }
        }
    }

    private static long EncodeContiguous(ReadOnlySpan<byte> input, SafetensorsDType dtype, Span<byte> blocks, Span<byte> scales,
        ScaleRule rule)
    {
        switch (dtype)
        {
            case SafetensorsDType.BF16:
                return Mxfp4Encoder.EncodeBFloat16(MemoryMarshal.Cast<byte, ushort>(input), blocks, scales, rule);
            case SafetensorsDType.F32:
                return Mxfp4Encoder.Encode(MemoryMarshal.Cast<byte, float>(input), blocks, scales, rule);
            default:
                Span<float> widened = stackalloc float[WidenElements];
                int elementBytes = input.Length / (scales.Length * Mxfp4Format.BlockElements);
                var type = DTypeTable.ToFloatType(dtype)!.Value;
                long nonFinite = 0;
                for (int start = 0; start < scales.Length * Mxfp4Format.BlockElements; start += WidenElements)
                {
                    int length = Math.Min(WidenElements, (scales.Length * Mxfp4Format.BlockElements) - start);
                    FloatConversion.Convert(input.Slice(start * elementBytes, length * elementBytes), type,
                        MemoryMarshal.AsBytes(widened[..length]), OutputFormat.F32);
                    int first = start / Mxfp4Format.BlockElements;
                    int count = length / Mxfp4Format.BlockElements;
                    nonFinite += Mxfp4Encoder.Encode(widened[..length],
                        blocks.Slice(first * Mxfp4Format.BlockBytes, count * Mxfp4Format.BlockBytes), scales.Slice(first, count), rule);
                }

                return nonFinite;
        }
    }

    private static int ElementBytes(TensorInfo source) => DTypeTable.BitSize(source.DType) / 8;
}

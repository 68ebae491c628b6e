using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Threading;

namespace Mxfp4.Core.Conversion;

/// <summary>
/// Transposes one row-major [rows, columns] matrix of 2- or 4-byte elements into [columns, rows], in square tiles
/// so both the reads and the writes stay within a few cache lines at a time.
/// </summary>
internal static class ExpertTranspose
{
    private const int Tile = 64;

    /// <summary>
    /// Writes the [rows, columns] matrix of <paramref name="elementSize"/>-byte elements in <paramref name="source"/> as
    /// [columns, rows] into <paramref name="destination"/>, on <paramref name="threads"/> workers of the pinned pool
    /// (each a contiguous band of source rows, so no two write the same destination bytes but at band edges).
    /// </summary>
    internal static unsafe void Transpose(
        ReadOnlySpan<byte> source, Span<byte> destination, int rows, int columns, int elementSize, int threads = 1)
    {
        if (source.Length != (long)rows * columns * elementSize || destination.Length != source.Length)
        {
            throw new ArgumentException(
                $"Expected {(long)rows * columns * elementSize} bytes for a {rows} x {columns} matrix of {elementSize}-byte elements.");
        }

        if (elementSize is not (2 or 4))
        {
            throw new ArgumentOutOfRangeException(nameof(elementSize), elementSize, "Only 2- and 4-byte elements are transposed.");
        }

        fixed (byte* sourceBytes = source)
        fixed (byte* destinationBytes = destination)
        {
            nint from = (nint)sourceBytes;
            nint to = (nint)destinationBytes;
            long bands = (rows + Tile - 1) / Tile;
            int workers = (int)Math.Clamp(Math.Min(threads, bands), 1, int.MaxValue);
            WorkerPool.Shared.Run(workers, worker =>
            {
                var (first, end) = Partition.Range(bands, workers, worker);
                int rowStart = (int)(first * Tile);
                int rowEnd = (int)Math.Min(end * Tile, rows);
                if (elementSize == 2)
                {
                    TransposeRows((ushort*)from, (ushort*)to, rows, columns, rowStart, rowEnd);
                }
                else
                {
                    TransposeRows((uint*)from, (uint*)to, rows, columns, rowStart, rowEnd);
                }
            });
        }
    }

    /// <summary>
    /// Tiles of Tile x Tile elements; within a tile each destination row is written sequentially (the source is read
    /// with a stride), which measured 3x faster than the other order with bounds-checked spans.
    /// </summary>
    private static unsafe void TransposeRows<T>(T* source, T* destination, int rows, int columns, int rowStart, int rowEnd)
        where T : unmanaged
    {
        for (int r0 = rowStart; r0 < rowEnd; r0 += Tile)
        {
            int r1 = Math.Min(r0 + Tile, rowEnd);
            for (int c0 = 0; c0 < columns; c0 += Tile)
            {
                int c1 = Math.Min(c0 + Tile, columns);
                for (int c = c0; c < c1; c++)
                {
                    T* to = destination + ((long)c * rows);
                    T* from = source + c;
                    for (int r = r0; r < r1; r++)
                    {
                        to[r] = from[(long)r * columns];
                    }
                }
            }
        }
    }

    /// <summary>One expert decoded whole must fit an array; a bigger one is a limit of this layout, not a crash.</summary>
    internal static int ExpertBytes(Mxfp4TensorInfo tensor, int elementBytes)
    {
        long rows = tensor.Shape[1];
        long columns = tensor.Shape[2];
        var bytes = (Int128)rows * columns * elementBytes;
        if (bytes > Array.MaxLength || rows > Array.MaxLength || columns > Array.MaxLength)
        {
            throw new Mxfp4Exception(
                ErrorIds.LimitsExceeded,
                Mxfp4ErrorCategory.LimitsExceeded,
                $"One expert of '{tensor.Name}' ([{rows}, {columns}]) is {bytes} bytes as {elementBytes * 8}-bit floats; "
                    + $"the Transformers layout transposes an expert in memory and handles at most {Array.MaxLength} bytes.",
                tensor.Name);
        }

        return (int)bytes;
    }
}

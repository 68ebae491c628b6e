using System.Runtime.InteropServices;
using Mxfp4.Core.Mxfp4;

namespace Mxfp4.Core.Conversion;

/// <summary>
/// Transposes one row-major [rows, columns] matrix of 2- or 4-byte elements into [columns, rows], in square tiles
/// so both the reads and the writes stay within a few cache lines at a time.
/// </summary>
internal static class ExpertTranspose
{
    private const int Tile = 32;

    internal static void Transpose(ReadOnlySpan<byte> source, Span<byte> destination, int rows, int columns, int elementSize)
    {
        if (source.Length != (long)rows * columns * elementSize || destination.Length != source.Length)
        {
            throw new ArgumentException(
                $"Expected {(long)rows * columns * elementSize} bytes for a {rows} x {columns} matrix of {elementSize}-byte elements.");
        }

        switch (elementSize)
        {
            case 2:
                Transpose(MemoryMarshal.Cast<byte, ushort>(source), MemoryMarshal.Cast<byte, ushort>(destination), rows, columns);
                break;
            case 4:
                Transpose(MemoryMarshal.Cast<byte, uint>(source), MemoryMarshal.Cast<byte, uint>(destination), rows, columns);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(elementSize), elementSize, "Only 2- and 4-byte elements are transposed.");
        }
    }

    private static void Transpose<T>(ReadOnlySpan<T> source, Span<T> destination, int rows, int columns)
        where T : unmanaged
    {
        for (int r0 = 0; r0 < rows; r0 += Tile)
        {
            int r1 = Math.Min(r0 + Tile, rows);
            for (int c0 = 0; c0 < columns; c0 += Tile)
            {
                int c1 = Math.Min(c0 + Tile, columns);
                for (int r = r0; r < r1; r++)
                {
                    for (int c = c0; c < c1; c++)
                    {
                        destination[(c * rows) + r] = source[(r * columns) + c];
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

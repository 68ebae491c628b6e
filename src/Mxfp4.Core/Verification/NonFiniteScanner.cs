using System.Numerics;
using System.Runtime.InteropServices;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Threading;

namespace Mxfp4.Core.Verification;

/// <summary>
/// Counts NaN and infinite values in stored tensor data without converting it: each format's non-finite values are a
/// bit pattern (all exponent bits set), so one vector AND and compare per register of elements finds them, at memory
/// speed, in parallel on the pinned workers.
/// </summary>
public static class NonFiniteScanner
{
    /// <summary>Bytes a worker scans between cancellation checks.</summary>
    private const int WindowBytes = 1 << 20;

    /// <summary>Below this many bytes a second worker costs more than it saves.</summary>
    private const long MinBytesPerWorker = 256 * 1024;

    /// <summary>Whether <see cref="Count(ReadOnlySpan{byte}, SafetensorsDType)"/> knows the dtype's non-finite patterns.</summary>
    public static bool IsSupported(SafetensorsDType dtype) => dtype
        is SafetensorsDType.F64 or SafetensorsDType.F32 or SafetensorsDType.BF16 or SafetensorsDType.F16
        or SafetensorsDType.F8_E4M3 or SafetensorsDType.F8_E5M2;

    /// <summary>NaN and Inf values among the little-endian elements of <paramref name="data"/> (a whole number of them).</summary>
    public static NonFiniteCount Count(ReadOnlySpan<byte> data, SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F64 => Count(MemoryMarshal.Cast<byte, ulong>(data), 0x7FF0_0000_0000_0000UL, 0x7FFF_FFFF_FFFF_FFFFUL),
        SafetensorsDType.F32 => Count(MemoryMarshal.Cast<byte, uint>(data), 0x7F80_0000U, 0x7FFF_FFFFU),
        SafetensorsDType.BF16 => Count(MemoryMarshal.Cast<byte, ushort>(data), (ushort)0x7F80, (ushort)0x7FFF),
        SafetensorsDType.F16 => Count(MemoryMarshal.Cast<byte, ushort>(data), (ushort)0x7C00, (ushort)0x7FFF),
        SafetensorsDType.F8_E5M2 => Count(data, (byte)0x7C, (byte)0x7F),

        // OCP E4M3FN: no infinities; S.1111.111 is the only NaN.
        SafetensorsDType.F8_E4M3 => new NonFiniteCount(CountMatches(data, (byte)0x7F, (byte)0x7F), 0),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a floating dtype whose non-finite values the scanner knows."),
    };

    /// <summary>MXFP4 blocks whose scale is 255, the E8M0 NaN that makes all 32 elements NaN.</summary>
    public static long CountNaNScales(ReadOnlySpan<byte> scales) => CountMatches(scales, (byte)0xFF, Mxfp4Format.NaNScale);

    /// <summary>
    /// Counts the non-finite values of <paramref name="byteLength"/> bytes at <paramref name="offset"/> of a mapped
    /// file, in parallel on up to <paramref name="threads"/> workers (0 = all). <paramref name="scales"/> counts NaN
    /// scale bytes instead of values of <paramref name="dtype"/>.
    /// </summary>
    public static NonFiniteCount Count(MappedFile file, long offset, long byteLength, SafetensorsDType dtype, bool scales, int threads,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        int elementBytes = scales ? 1 : DTypeTable.BitSize(dtype) / 8;
        long nan = 0;
        long infinity = 0;
        var pool = WorkerPool.Shared;
        int workers = (int)Math.Clamp(byteLength / MinBytesPerWorker, 1, threads == 0 ? pool.ThreadCount
            : Math.Min(threads, pool.ThreadCount));
        pool.Run(workers, part =>
        {
            var (start, end) = Partition.Range(byteLength, workers, part, elementBytes);
            var local = default(NonFiniteCount);
            for (long position = start; position < end && !cancellationToken.IsCancellationRequested; position += WindowBytes)
            {
                var window = file.GetSpan(offset + position, (int)Math.Min(WindowBytes, end - position));
                local += scales ? new NonFiniteCount(CountNaNScales(window), 0) : Count(window, dtype);
            }

            Interlocked.Add(ref nan, local.NaN);
            Interlocked.Add(ref infinity, local.Infinity);
        });
        cancellationToken.ThrowIfCancellationRequested();
        return new NonFiniteCount(nan, infinity);
    }

    /// <summary>Non-finite: all exponent bits set; infinite: additionally a zero mantissa (the value without its sign is the exponent
    /// mask).</summary>
    private static NonFiniteCount Count<T>(ReadOnlySpan<T> values, T exponentMask, T magnitudeMask)
        where T : unmanaged, IBinaryInteger<T>
    {
        long nonFinite = CountMatches(values, exponentMask, exponentMask);
        long infinity = nonFinite == 0 ? 0 : CountMatches(values, magnitudeMask, exponentMask);
        return new NonFiniteCount(nonFinite - infinity, infinity);
    }

    /// <summary>How many elements satisfy <c>(x &amp; mask) == value</c>.</summary>
    private static long CountMatches<T>(ReadOnlySpan<T> values, T mask, T value)
        where T : unmanaged, IBinaryInteger<T>
    {
        long total = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<T>.Count)
        {
            var vectors = MemoryMarshal.Cast<T, Vector<T>>(values);
            var maskVector = new Vector<T>(mask);
            var valueVector = new Vector<T>(value);

            // A matching lane is all ones, so subtracting the compare result adds one to that lane; lanes of byte
            // width would wrap after 255 steps, so the lanes are summed into the total at least that often.
            const int FlushEvery = byte.MaxValue;
            for (int v = 0; v < vectors.Length; v += FlushEvery)
            {
                var lanes = Vector<T>.Zero;
                int stop = Math.Min(vectors.Length, v + FlushEvery);
                for (int j = v; j < stop; j++)
                {
                    lanes -= Vector.Equals(vectors[j] & maskVector, valueVector);
                }

                for (int lane = 0; lane < Vector<T>.Count; lane++)
                {
                    total += long.CreateTruncating(lanes[lane]);
                }
            }

            i = vectors.Length * Vector<T>.Count;
        }

        for (; i < values.Length; i++)
        {
            if ((values[i] & mask) == value)
            {
                total++;
            }
        }

        return total;
    }
}

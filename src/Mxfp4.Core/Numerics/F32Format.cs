using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Mxfp4.Core.Numerics;

/// <summary>IEEE float32 output: stores write the lanes unchanged.</summary>
public readonly struct F32Format : IOutputFormat
{
    public static OutputFormat Format => OutputFormat.F32;

    public static int BytesPerElement => sizeof(float);

    public static bool InterleavesWithinLanes => true;

    public static float Factor(byte scale) => ExactNarrowing.ScaleFactor(scale);

    public static void Store(float value, Span<byte> destination)
        => BitConverter.TryWriteBytes(destination, BitConverter.SingleToUInt32Bits(value));

    public static void Store(Vector128<float> first, Vector128<float> second, byte scale, ref byte destination)
    {
        first.AsByte().StoreUnsafe(ref destination);
        second.AsByte().StoreUnsafe(ref destination, (nuint)Vector128<byte>.Count);
    }

    public static void Store(Vector256<float> even, Vector256<float> odd, byte scale, ref byte destination)
    {
        Unpack(even, odd, upper: false).AsByte().StoreUnsafe(ref destination);
        Unpack(even, odd, upper: true).AsByte().StoreUnsafe(ref destination, (nuint)Vector256<byte>.Count);
    }

    public static void FromSingle(ReadOnlySpan<float> source, Span<byte> destination)
        => MemoryMarshal.AsBytes(source).CopyTo(destination);

    public static void FromBFloat16(ReadOnlySpan<ushort> source, Span<byte> destination)
        => BFloat16Conversion.Widen(source, MemoryMarshal.Cast<byte, uint>(destination));

    public static void FromHalf(ReadOnlySpan<Half> source, Span<byte> destination)
        => TensorPrimitives.ConvertToSingle(source, MemoryMarshal.Cast<byte, float>(destination));

    public static void FromFloat8(ReadOnlySpan<byte> source, Span<byte> destination, Float8Table table)
        => Float8Table.Lookup(source, MemoryMarshal.Cast<byte, uint>(destination), table.Single);

    /// <summary>Per 128-bit lane: even[0], odd[0], even[1], odd[1] (lower) or even[2], odd[2], even[3], odd[3] (upper).</summary>
    private static Vector256<float> Unpack(Vector256<float> even, Vector256<float> odd, bool upper)
    {
        if (Avx.IsSupported)
        {
            return upper ? Avx.UnpackHigh(even, odd) : Avx.UnpackLow(even, odd);
        }

        Vector256<int> duplicated = upper ? Vector256.Create(2, 2, 3, 3, 6, 6, 7, 7) : Vector256.Create(0, 0, 1, 1, 4, 4, 5, 5);
        Vector256<int> oddLanes = Vector256.Create(0, -1, 0, -1, 0, -1, 0, -1);
        return Vector256.ConditionalSelect(oddLanes.AsSingle(), Vector256.Shuffle(odd, duplicated), Vector256.Shuffle(even, duplicated));
    }
}

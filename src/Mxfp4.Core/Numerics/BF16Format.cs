using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Mxfp4.Core.Numerics;

/// <summary>BF16 output, the top half of a float32: vector stores of exact products keep those top halves.</summary>
public readonly struct BF16Format : IOutputFormat
{
    /// <summary>Elements converted per step when a conversion goes through a float32 buffer.</summary>
    private const int ChunkElements = 1024;

    public static OutputFormat Format => OutputFormat.BF16;

    public static int BytesPerElement => sizeof(ushort);

    public static bool InterleavesWithinLanes => false;

    public static float Factor(byte scale) => ExactNarrowing.ScaleFactor(scale);

    /// <summary>Rounds to nearest-even; a NaN keeps its sign and top payload bits and is made quiet.</summary>
    public static void Store(float value, Span<byte> destination)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        uint rounded = float.IsNaN(value) ? (bits >> 16) | 0x0040 : (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16;
        BitConverter.TryWriteBytes(destination, (ushort)rounded);
    }

    public static void Store(Vector128<float> first, Vector128<float> second, byte scale, ref byte destination)
        => Vector128.Narrow(Vector128.ShiftRightLogical(first.AsUInt32(), 16), Vector128.ShiftRightLogical(second.AsUInt32(), 16))
            .AsByte().StoreUnsafe(ref destination);

    public static void Store(Vector256<float> even, Vector256<float> odd, byte scale, ref byte destination)
        => (Vector256.ShiftRightLogical(even.AsUInt32(), 16) | (odd.AsUInt32() & Vector256.Create(0xFFFF_0000u)))
            .AsByte().StoreUnsafe(ref destination);

    public static void FromSingle(ReadOnlySpan<float> source, Span<byte> destination)
        => BFloat16Conversion.Narrow(MemoryMarshal.Cast<float, uint>(source), MemoryMarshal.Cast<byte, ushort>(destination));

    public static void FromBFloat16(ReadOnlySpan<ushort> source, Span<byte> destination)
        => MemoryMarshal.AsBytes(source).CopyTo(destination);

    public static void FromHalf(ReadOnlySpan<Half> source, Span<byte> destination)
    {
        // Every F16 is exact in float32, so the float32 to BF16 rounding is the only one.
        Span<float> buffer = stackalloc float[ChunkElements];
        var output = MemoryMarshal.Cast<byte, ushort>(destination);
        for (int start = 0; start < source.Length; start += ChunkElements)
        {
            int length = Math.Min(ChunkElements, source.Length - start);
            var chunk = buffer[..length];
            TensorPrimitives.ConvertToSingle(source.Slice(start, length), chunk);
            BFloat16Conversion.Narrow(MemoryMarshal.Cast<float, uint>(chunk), output.Slice(start, length));
        }
    }

    public static void FromFloat8(ReadOnlySpan<byte> source, Span<byte> destination, Float8Table table)
        => Float8Table.Lookup(source, MemoryMarshal.Cast<byte, ushort>(destination), table.BFloat16);
}

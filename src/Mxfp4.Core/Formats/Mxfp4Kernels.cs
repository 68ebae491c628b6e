using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Mxfp4.Core.Numerics;

namespace Mxfp4.Core.Formats;

/// <summary>
/// MXFP4 dequantization kernels. One code path per vector width, each bit-identical to <see cref="Mxfp4Reference"/>;
/// the widest the CPU accelerates is chosen once at start-up.
/// </summary>
/// <remarks>
/// The 128- and 256-bit paths compute a group the same way: look up the float32 of each E2M1 nibble at scale 2^0,
/// multiply by the float32 2^(s-127), then narrow to the output format; the 512-bit path looks the finished elements
/// up in a per-scale table taken from the reference. The multiply is exact: a nibble value has at most two
/// significant bits and the factor is a power of two (2^-127 itself a subnormal), so IEEE multiplication yields the
/// exact product, a subnormal where it is one, and +-Inf where it overflows, just as the reference's double-then-float
/// rounding does. .NET never enables flush-to-zero or denormals-are-zero. Scale 255 blocks are written as the canonical
/// NaN without arithmetic.
/// </remarks>
public static partial class Mxfp4Kernels
{
    /// <summary>The float32 bits of the 16 E2M1 nibble values at scale 2^0, in nibble order.</summary>
    private static ReadOnlySpan<uint> UnitValueBits =>
    [
        0x0000_0000, 0x3F00_0000, 0x3F80_0000, 0x3FC0_0000, 0x4000_0000, 0x4040_0000, 0x4080_0000, 0x40C0_0000,
        0x8000_0000, 0xBF00_0000, 0xBF80_0000, 0xBFC0_0000, 0xC000_0000, 0xC040_0000, 0xC080_0000, 0xC0C0_0000,
    ];

    /// <summary>The path <see cref="Dequantize(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte}, OutputFormat)"/> uses on this
    /// machine.</summary>
    public static KernelPath ActivePath { get; } = SelectPath();

    /// <summary>
    /// Dequantizes <c>scales.Length</c> whole groups. <paramref name="blocks"/> holds 16 bytes per group and
    /// <paramref name="destination"/> 32 elements per group in <paramref name="format"/>, little-endian, any alignment.
    /// </summary>
    /// <exception cref="ArgumentException">The three lengths do not describe the same number of groups.</exception>
    public static void Dequantize(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, Span<byte> destination, OutputFormat format)
        => Dequantize(blocks, scales, destination, format, ActivePath);

    /// <summary>
    /// Runs one specific path. Every path runs on every machine (the vector APIs fall back to software where the
    /// hardware lacks the width), so tests can check all of them; <see cref="IsSupported"/> says which are fast here.
    /// </summary>
    internal static void Dequantize(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, Span<byte> destination, OutputFormat format,
        KernelPath path)
    {
        CheckLengths(blocks, scales, destination, format);
        var call = new DequantizeCall(path, NonTemporal: false);
        OutputFormats.Visit(format, ref call, blocks, scales, destination);
    }

    /// <summary>
    /// Whether <see cref="DequantizeNonTemporal"/> can write to <paramref name="destination"/>: the active path is the
    /// 512-bit one, whose every group writes whole 64-byte lines, and the destination starts on a line.
    /// </summary>
    internal static unsafe bool CanWriteNonTemporal(byte* destination)
        => ActivePath == KernelPath.Vector512 && (nuint)destination % 64 == 0;

    /// <summary>
    /// As <see cref="Dequantize(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte}, OutputFormat)"/>, with streaming
    /// (non-temporal) stores straight from the registers, for outputs too big to be read back from cache; only where
    /// <see cref="CanWriteNonTemporal"/> holds. The caller fences (<see cref="StreamingStore.Fence"/>) before it
    /// publishes the output.
    /// </summary>
    internal static unsafe void DequantizeNonTemporal(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, byte* destination,
        OutputFormat format)
    {
        if (!CanWriteNonTemporal(destination))
        {
            throw new ArgumentException("Streaming stores need the 512-bit path and a 64-byte aligned destination.", nameof(destination));
        }

        var output = new Span<byte>(destination, checked(scales.Length * Mxfp4Format.BlockElements * format.BytesPerElement()));
        CheckLengths(blocks, scales, output, format);
        var call = new DequantizeCall(KernelPath.Vector512, NonTemporal: true);
        OutputFormats.Visit(format, ref call, blocks, scales, output);
    }

    /// <summary>Runs one path for one format type; the lengths are already checked.</summary>
    private static void Dequantize<TFormat>(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, Span<byte> destination, KernelPath path,
        bool nonTemporal)
        where TFormat : struct, IOutputFormat
    {
        switch (path)
        {
            case KernelPath.Scalar:
                Mxfp4Reference.Dequantize<TFormat>(blocks, scales, destination);
                break;
            case KernelPath.Vector128:
                Width128.Dequantize<TFormat>(blocks, scales, destination);
                break;
            case KernelPath.Vector256:
                Width256.Dequantize<TFormat>(blocks, scales, destination);
                break;
            case KernelPath.Vector512:
                Width512.Dequantize<TFormat>(blocks, scales, destination, nonTemporal);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(path), path, "Unknown kernel path.");
        }
    }

    /// <summary>Whether the hardware accelerates <paramref name="path"/> (the instructions its hot loop relies on exist).</summary>
    internal static bool IsSupported(KernelPath path) => path switch
    {
        KernelPath.Scalar => true,
        KernelPath.Vector128 => Vector128.IsHardwareAccelerated && (Ssse3.IsSupported || AdvSimd.Arm64.IsSupported),
        KernelPath.Vector256 => Vector256.IsHardwareAccelerated && Avx2.IsSupported,
        KernelPath.Vector512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported && Avx512BW.IsSupported,
        _ => false,
    };

    private static KernelPath SelectPath()
    {
        foreach (var path in new[] { KernelPath.Vector512, KernelPath.Vector256, KernelPath.Vector128 })
        {
            if (IsSupported(path))
            {
                return path;
            }
        }

        return KernelPath.Scalar;
    }

    private static void CheckLengths(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, Span<byte> destination, OutputFormat format)
    {
        if ((long)blocks.Length != (long)scales.Length * Mxfp4Format.BlockBytes)
        {
            throw new ArgumentException(
                $"Expected {(long)scales.Length * Mxfp4Format.BlockBytes} block bytes for {scales.Length} scales, got {blocks.Length}.",
                nameof(blocks));
        }

        if ((long)destination.Length != (long)scales.Length * Mxfp4Format.BlockElements * format.BytesPerElement())
        {
            throw new ArgumentException(
                $"Expected {(long)scales.Length * Mxfp4Format.BlockElements * format.BytesPerElement()} destination bytes for "
                    + $"{scales.Length} groups of {format}, got {destination.Length}.", nameof(destination));
        }
    }

    private readonly record struct DequantizeCall(KernelPath Path, bool NonTemporal) : IOutputFormatVisitor
    {
        public void Visit<TFormat>(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> destination)
            where TFormat : struct, IOutputFormat
            => Dequantize<TFormat>(first, second, destination, Path, NonTemporal);
    }
}

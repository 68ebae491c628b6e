using System.Runtime.Intrinsics;
using Mxfp4.Core.Numerics;

namespace Mxfp4.Core.Mxfp4;

/// <summary>
/// MXFP4 dequantization kernels. One code path per vector width, each bit-identical to <see cref="Mxfp4Reference"/>;
/// the widest the CPU accelerates is chosen once at start-up.
/// </summary>
public static partial class Mxfp4Kernels
{
    /// <summary>The path <see cref="Dequantize(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte}, OutputFormat)"/> uses on this machine.</summary>
    public static KernelPath ActivePath { get; } = SelectPath();

    /// <summary>
    /// Dequantizes <c>scales.Length</c> whole groups. <paramref name="blocks"/> holds 16 bytes per group and
    /// <paramref name="destination"/> 32 elements per group in <paramref name="format"/>, little-endian, any alignment.
    /// </summary>
    public static void Dequantize(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, Span<byte> destination, OutputFormat format)
        => Dequantize(blocks, scales, destination, format, ActivePath);

    internal static void Dequantize(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, Span<byte> destination, OutputFormat format, KernelPath path)
    {
        CheckLengths(blocks, scales, destination, format);
        switch (path)
        {
            case KernelPath.Scalar:
                Mxfp4Reference.Dequantize(blocks, scales, destination, format);
                break;
            default:
                throw new PlatformNotSupportedException($"Kernel path {path} is not available.");
        }
    }

    internal static bool IsSupported(KernelPath path) => path switch
    {
        KernelPath.Scalar => true,
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
            throw new ArgumentException($"Expected {(long)scales.Length * Mxfp4Format.BlockBytes} block bytes for {scales.Length} scales, got {blocks.Length}.", nameof(blocks));
        }

        if ((long)destination.Length != (long)scales.Length * Mxfp4Format.BlockElements * format.BytesPerElement())
        {
            throw new ArgumentException($"Expected {(long)scales.Length * Mxfp4Format.BlockElements * format.BytesPerElement()} destination bytes for {scales.Length} groups of {format}, got {destination.Length}.", nameof(destination));
        }
    }
}

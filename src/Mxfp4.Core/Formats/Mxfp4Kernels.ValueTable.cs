using System.Runtime.InteropServices;
using Mxfp4.Core.Numerics;

namespace Mxfp4.Core.Formats;

public static partial class Mxfp4Kernels
{
    /// <summary>
    /// For each scale byte s, the 16 elements the scalar reference writes for nibbles 0..15 with scale s, in
    /// <typeparamref name="TFormat"/>: 256 rows of 16 elements, 64-byte aligned, built once per format and never freed
    /// (8 KiB for 16-bit formats, 16 KiB for float32). Taking the values from the reference itself makes every lookup
    /// kernel bit-identical to it by construction; the exhaustive kernel tests check the indexing.
    /// </summary>
    private static unsafe class ValueTable<TFormat>
        where TFormat : struct, IOutputFormat
    {
        internal static readonly byte* Rows = Build();

        /// <summary>
        /// The same rows as byte planes, for byte shuffles: row s holds byte 0 of its 16 elements, then byte 1, and so on.
        /// </summary>
        internal static readonly byte* Planes = Transpose(Rows);

        private static byte* Transpose(byte* rows)
        {
            int bytesPerElement = TFormat.BytesPerElement;
            int rowBytes = 16 * bytesPerElement;
            var planes = (byte*)NativeMemory.AlignedAlloc((nuint)(256 * rowBytes), 64);
            for (int s = 0; s < 256; s++)
            {
                for (int n = 0; n < 16; n++)
                {
                    for (int b = 0; b < bytesPerElement; b++)
                    {
                        planes[(s * rowBytes) + (b * 16) + n] = rows[(s * rowBytes) + (n * bytesPerElement) + b];
                    }
                }
            }

            return planes;
        }

        private static byte* Build()
        {
            int rowBytes = 16 * TFormat.BytesPerElement;
            var rows = (byte*)NativeMemory.AlignedAlloc((nuint)(256 * rowBytes), 64);

            // Byte k holds nibbles 2k and 2k+1, so the group's first 16 elements are the nibbles 0..15 in order.
            Span<byte> block = stackalloc byte[Mxfp4Format.BlockBytes];
            for (int k = 0; k < Mxfp4Format.BlockBytes; k++)
            {
                block[k] = (byte)(((2 * k) & 15) | ((((2 * k) + 1) & 15) << 4));
            }

            Span<byte> group = stackalloc byte[Mxfp4Format.BlockElements * TFormat.BytesPerElement];
            for (int s = 0; s < 256; s++)
            {
                byte scale = (byte)s;
                Mxfp4Reference.Dequantize<TFormat>(block, new ReadOnlySpan<byte>(in scale), group);
                group[..rowBytes].CopyTo(new Span<byte>(rows + (s * rowBytes), rowBytes));
            }

            return rows;
        }
    }
}

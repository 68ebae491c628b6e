using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Mxfp4.Core.Formats;

/// <summary>
/// Copies with non-temporal (streaming) stores: the destination lines are written without first being read into the
/// cache, which saves a third of the memory traffic of a large output that nobody reads soon. Used on decoded data
/// still hot in L1, so the extra copy costs far less than the read-for-ownership it avoids. Where the platform has no
/// streaming store the vector store is an ordinary one.
/// </summary>
internal static unsafe class StreamingStore
{
    private const int LineBytes = 64;

    public static void Copy(ReadOnlySpan<byte> source, byte* destination)
    {
        int length = source.Length;
        int head = Math.Min(length, (int)((LineBytes - ((nuint)destination % LineBytes)) % LineBytes));
        source[..head].CopyTo(new Span<byte>(destination, head));
        ref byte from = ref MemoryMarshal.GetReference(source);
        int i = head;
        int lastLine = length - LineBytes;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= lastLine; i += LineBytes)
            {
                Vector512.LoadUnsafe(ref from, (nuint)i).StoreAlignedNonTemporal(destination + i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= lastLine; i += LineBytes)
            {
                Vector256.LoadUnsafe(ref from, (nuint)i).StoreAlignedNonTemporal(destination + i);
                Vector256.LoadUnsafe(ref from, (nuint)(i + 32)).StoreAlignedNonTemporal(destination + i + 32);
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            for (; i <= lastLine; i += LineBytes)
            {
                Vector128.LoadUnsafe(ref from, (nuint)i).StoreAlignedNonTemporal(destination + i);
                Vector128.LoadUnsafe(ref from, (nuint)(i + 16)).StoreAlignedNonTemporal(destination + i + 16);
                Vector128.LoadUnsafe(ref from, (nuint)(i + 32)).StoreAlignedNonTemporal(destination + i + 32);
                Vector128.LoadUnsafe(ref from, (nuint)(i + 48)).StoreAlignedNonTemporal(destination + i + 48);
            }
        }

        source[i..].CopyTo(new Span<byte>(destination + i, length - i));
    }

    /// <summary>Orders this thread's streaming stores before whatever it does next (e.g. signalling that its part is done).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Fence()
    {
        if (Sse.IsSupported)
        {
            Sse.StoreFence();
        }
    }
}

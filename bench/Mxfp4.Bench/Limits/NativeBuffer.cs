using System.Runtime.InteropServices;

namespace Mxfp4.Bench.Limits;

/// <summary>
/// A 64-byte aligned native buffer with every page touched once, so no measurement pays for first-touch page faults.
/// </summary>
internal sealed unsafe class NativeBuffer : IDisposable
{
    private const int PageBytes = 4096;

    public NativeBuffer(long length)
    {
        Length = length;
        Pointer = (byte*)NativeMemory.AlignedAlloc((nuint)length, 64);
        for (long offset = 0; offset < length; offset += PageBytes)
        {
            Pointer[offset] = 0;
        }
    }

    public byte* Pointer { get; private set; }

    public long Length { get; }

    public void Dispose()
    {
        if (Pointer != null)
        {
            NativeMemory.AlignedFree(Pointer);
            Pointer = null;
        }
    }
}

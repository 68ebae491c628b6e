using System.Runtime.InteropServices;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Threading;

namespace Mxfp4.Bench.Peer;

/// <summary>
/// The workload's tensor repacked into ggml's block_mxfp4 layout (ggml-common.h): 17 bytes per 32 elements, the E8M0
/// scale byte, then 16 bytes where byte j holds element j in its low nibble and element j + 16 in its high nibble
/// (ours: separate scales, and byte j holds elements 2j and 2j + 1).
/// </summary>
internal sealed unsafe class GgmlBlocks : IDisposable
{
    public const int BlockBytes = 17;

    public GgmlBlocks(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, int groupsPerRow, int threads)
    {
        Rows = scales.Length / groupsPerRow;
        Columns = groupsPerRow * Mxfp4Format.BlockElements;
        Length = (long)scales.Length * BlockBytes;
        Pointer = (byte*)NativeMemory.AlignedAlloc((nuint)Length, 64);
        fixed (byte* blocksPointer = blocks)
        fixed (byte* scalesPointer = scales)
        {
            byte* source = blocksPointer;
            byte* scale = scalesPointer;
            byte* target = Pointer;
            long groups = scales.Length;
            WorkerPool.Shared.Run(threads, part =>
            {
                var (start, end) = Partition.Range(groups, threads, part, 1);
                for (long g = start; g < end; g++)
                {
                    Repack(source + (g * Mxfp4Format.BlockBytes), scale[g], target + (g * BlockBytes));
                }
            });
        }
    }

    public byte* Pointer { get; private set; }

    public long Length { get; }

    public long Rows { get; }

    public int Columns { get; }

    public void Dispose()
    {
        if (Pointer != null)
        {
            NativeMemory.AlignedFree(Pointer);
            Pointer = null;
        }
    }

    private static void Repack(byte* ours, byte scale, byte* theirs)
    {
        theirs[0] = scale;
        for (int j = 0; j < 16; j++)
        {
            theirs[1 + j] = (byte)(Nibble(ours, j) | (Nibble(ours, j + 16) << 4));
        }
    }

    private static int Nibble(byte* block, int element) => (element & 1) == 0 ? block[element >> 1] & 0x0F : block[element >> 1] >> 4;
}

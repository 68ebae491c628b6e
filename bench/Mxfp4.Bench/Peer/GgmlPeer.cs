using Mxfp4.Bench.Limits;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Threading;

namespace Mxfp4.Bench.Peer;

/// <summary>
/// ggml doing what we do, on the workload's tensor in its own layout: dequantization to F32 (dequantize_row_mxfp4,
/// the function ggml's CPU backend and llama.cpp's tools call, run on our pool's threads over contiguous row ranges)
/// and the matvec graphs of <see cref="GgmlMatVec"/> for all experts and for the first, each plain and CPU_REPACK.
/// </summary>
internal sealed unsafe class GgmlPeer : IDisposable
{
    private readonly GgmlLibrary _ggml;
    private readonly GgmlBlocks _blocks;
    private readonly Dictionary<(bool All, bool Repack), GgmlMatVec> _matVecs = [];

    private GgmlPeer(GgmlLibrary ggml, LimitsWorkload workload)
    {
        _ggml = ggml;
        _blocks = new GgmlBlocks(workload.Blocks, workload.Scales, LimitsWorkload.GroupsPerRow, workload.Threads);
    }

    /// <summary>The peer, or null where ggml's libraries are not available (the report then prints no ggml rows).</summary>
    public static GgmlPeer? Create(LimitsWorkload workload) => GgmlLibrary.Instance is { } ggml ? new GgmlPeer(ggml, workload) : null;

    /// <summary>Dequantizes the whole tensor to F32 at <paramref name="output"/> on <paramref name="threads"/> workers, parts on whole
    /// rows.</summary>
    public void Dequantize(float* output, int threads)
    {
        long rows = _blocks.Rows;
        int columns = _blocks.Columns;
        byte* blocks = _blocks.Pointer;
        var dequantize = _ggml.DequantizeRowMxfp4;
        WorkerPool.Shared.Run(threads, part =>
        {
            var (start, end) = Partition.Range(rows, threads, part, 16);
            long groupsPerRow = columns / Mxfp4Format.BlockElements;
            dequantize(blocks + (start * groupsPerRow * GgmlBlocks.BlockBytes), output + (start * columns), (end - start) * columns);
        });
    }

    /// <summary>The matvec graph over all experts or the first one, plain or repacked; built on first use.</summary>
    public GgmlMatVec MatVec(bool all, bool repack)
    {
        if (!_matVecs.TryGetValue((all, repack), out var matVec))
        {
            matVec = new GgmlMatVec(_ggml, _blocks.Pointer, all ? _blocks.Rows : LimitsWorkload.Rows, _blocks.Columns, repack);
            _matVecs[(all, repack)] = matVec;
        }

        return matVec;
    }

    public void Dispose()
    {
        foreach (var matVec in _matVecs.Values)
        {
            matVec.Dispose();
        }

        _blocks.Dispose();
    }
}

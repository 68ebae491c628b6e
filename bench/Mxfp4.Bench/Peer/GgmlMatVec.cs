namespace Mxfp4.Bench.Peer;

/// <summary>
/// y = W·x computed by ggml the way llama.cpp runs a dense MXFP4 layer on the CPU: a one-node graph (ggml_mul_mat of
/// an MXFP4 weight [K, N] by an F32 vector [K, 1]) computed by the CPU backend on n threads. ggml quantizes x to Q8_0
/// once per call, then takes integer dot products per block (ggml_vec_dot_mxfp4_q8_0, or with
/// <c>repack</c> the CPU_REPACK buffer type, whose set_tensor interleaves 8 rows' blocks for ggml_gemv_mxfp4_8x8_q8_0
/// — what llama.cpp uses on x86 by default). The weights are copied into ggml's own buffer once, at construction.
/// </summary>
internal sealed unsafe class GgmlMatVec : IDisposable
{
    private const nuint ContextBytes = 16 << 20;

    private readonly GgmlLibrary _ggml;
    private readonly nint _weightsContext;
    private readonly nint _weightsBuffer;
    private readonly nint _ioContext;
    private readonly nint _ioBuffer;
    private readonly nint _x;
    private readonly nint _y;
    private readonly nint _graph;
    private readonly nint _backend;
    private readonly int _columns;

    public GgmlMatVec(GgmlLibrary ggml, byte* weights, long rows, int columns, bool repack)
    {
        _ggml = ggml;
        Rows = rows;
        _columns = columns;
        var parameters = new GgmlLibrary.InitParams { MemorySize = ContextBytes, NoAlloc = true };
        _weightsContext = ggml.Init(parameters);
        nint w = ggml.NewTensor2d(_weightsContext, GgmlLibrary.TypeMxfp4, _columns, Rows);
        _weightsBuffer = ggml.AllocContextTensors(_weightsContext, repack ? ggml.RepackBufferType() : ggml.CpuBufferType());
        ggml.TensorSet(w, weights, 0, (nuint)(rows * (columns / 32) * GgmlBlocks.BlockBytes));

        _ioContext = ggml.Init(parameters);
        _x = ggml.NewTensor2d(_ioContext, GgmlLibrary.TypeF32, _columns, 1);
        _y = ggml.MulMat(_ioContext, w, _x);
        _graph = ggml.NewGraph(_ioContext);
        ggml.BuildForwardExpand(_graph, _y);
        _ioBuffer = ggml.AllocContextTensors(_ioContext, ggml.CpuBufferType());
        _backend = ggml.CpuInit();
        if (_weightsContext == 0 || _ioContext == 0 || _weightsBuffer == 0 || _ioBuffer == 0 || _backend == 0)
        {
            throw new InvalidOperationException("ggml could not set up the matvec graph.");
        }
    }

    public long Rows { get; }

    public void SetThreads(int threads) => _ggml.CpuSetThreads(_backend, threads);

    public void Multiply(ReadOnlySpan<float> x, Span<float> y)
    {
        fixed (float* xPointer = x)
        fixed (float* yPointer = y)
        {
            _ggml.TensorSet(_x, xPointer, 0, (nuint)(_columns * sizeof(float)));
            int status = _ggml.GraphCompute(_backend, _graph);
            if (status != 0)
            {
                throw new InvalidOperationException($"ggml_backend_graph_compute returned {status}.");
            }

            _ggml.TensorGet(_y, yPointer, 0, (nuint)(Rows * sizeof(float)));
        }
    }

    public void Dispose()
    {
        _ggml.BackendFree(_backend);
        _ggml.BufferFree(_ioBuffer);
        _ggml.Free(_ioContext);
        _ggml.BufferFree(_weightsBuffer);
        _ggml.Free(_weightsContext);
    }
}

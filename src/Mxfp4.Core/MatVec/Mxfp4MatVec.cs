using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Threading;

namespace Mxfp4.Core.MatVec;

/// <summary>
/// Fused MXFP4 matrix-vector products: <c>y = act(W·x + b)</c>, dequantizing each block on the fly and reading every
/// row's blocks and scales exactly once (once per batch, too). Rows are split into static contiguous parts across
/// <see cref="WorkerPool.Shared"/>; a row's arithmetic never depends on the partition or the vector width, so results
/// are bitwise identical for every thread count and on every kernel path.
/// <para>
/// The weights are the values of <see cref="Mxfp4Reference.Element"/>. Let y64 be Σ w·x + b summed exactly (or in
/// float64 over those values), S = Σ|w·x| + |b|, ε = 2^−24 and G = K/32.
/// </para>
/// <para>
/// <b>Exact</b>, all in float32: per block and lane, the two elements of one byte are combined (doubled weights; one
/// product and one fused multiply-add: relative error ≤ 2ε + ε²), multiplied by the block's scale 2^(s−128) (exact, a
/// power of two) and added to one of 16 lanes by the same fused multiply-add (G − 1 roundings per lane; the first is
/// exact), the lanes added pairwise (4 more), widened to float64, the bias added in float64, and rounded once to float32.
/// Hence |y − y64| ≤ γ(G + 6)·S + A with γ(n) = nε / (1 − nε), i.e. about (G + 6)·ε·S: 96ε ≈ 5.7·10^−6·S for gpt-oss's
/// K = 2880 in the worst case, while errors of random sign measure near 10^−8·S. A = (16G + 17)·2^−150 +
/// Σ_blocks 2^(s−128)·2^−144 covers results and products that fall into float32's subnormal range, which only
/// matters for rows of tiny scale or |x| below about 2^−100. Blocks with s ≥ 253 hold weights float32 cannot
/// represent; the reference makes them ±Inf. A row holding one, or a scale at which the float32 lanes could overflow
/// for this x (24·G·max|x|·2^(s−128) ≥ 2^126), is summed in float64 element by element instead (see
/// <c>OverflowBlocks</c>): within the bound above, and ±Inf or NaN exactly as a float64 sum over the reference
/// weights is. A NaN scale (255) makes its row NaN; other rows are unaffected. NaN outputs are the canonical quiet NaN.
/// </para>
/// <para>
/// <b>Int8</b>: x is quantized per block to q = round(x·127/m), m = max|x| of the block, so each element moves by at
/// most m/254. Integer dot products with the doubled weights are exact; each lane of 4 adds its dot product times the
/// block's m·2^(s−128) (float32, exact unless subnormal) to one of 8 float32 lanes by a fused multiply-add (G − 1
/// roundings; the first is exact), the lanes are added pairwise (3 more), and the row is divided by 127 in float64.
/// With Q = Σ_blocks (m_b/254)·Σ_{i∈b}|w_i|: |y − y64| ≤ (1 + 2ε)·Q + γ(G + 6)·(S + Q) + (G + 1)·2^−141, the last
/// term for subnormal products. Rows where the float32 lanes could overflow for this x take the same dot products
/// summed in float64 instead. A block of x holding NaN or ±Inf makes every output NaN.
/// </para>
/// <para>
/// <b>SwiGLU</b> takes the biased float32 results of an even/odd row pair (gate, up) and evaluates gpt-oss's clamped
/// SwiGLU in float64, rounding once; its error is that of the inputs times the function's slope, plus ε relative.
/// </para>
/// </summary>
public static class Mxfp4MatVec
{
    /// <summary>Part boundaries fall on multiples of this many rows: a 64-byte line of float outputs, and always even for SwiGLU
    /// pairs.</summary>
    private const int RowUnit = 16;

    /// <summary>Chunks hold a multiple of this many rows where a window allows it: the kernels' groups of rows (4), so no
    /// chunk ends in a smaller group, and always even for SwiGLU pairs.</summary>
    private const int ChunkRowMultiple = 4;

    /// <summary>About this many block bytes per chunk: small enough to stay in L1/L2 while a batch reuses it, large enough to amortise the
    /// cancellation check.</summary>
    private const int ChunkBytes = 32 * 1024;

    /// <summary>The widest kernel path the CPU accelerates, chosen once.</summary>
    internal static KernelPath ActivePath { get; } = SelectPath();

    /// <summary>
    /// y = act(W·x + b). <paramref name="bias"/> is empty or one value per row; <paramref name="threads"/> ≤ 0 means
    /// every worker of the shared pool. Returns Rows values, or Rows/2 with SwiGLU.
    /// </summary>
    public static float[] Multiply(
        Mxfp4Matrix matrix,
        ReadOnlySpan<float> x,
        ReadOnlySpan<float> bias = default,
        MatVecPrecision precision = MatVecPrecision.Exact,
        MatVecActivation activation = MatVecActivation.None,
        int threads = 0,
        CancellationToken cancellationToken = default)
        => Multiply(matrix, x, bias, precision, activation, threads, ActivePath, cancellationToken);

    /// <summary>As <see cref="Multiply(Mxfp4Matrix, ReadOnlySpan{float}, ReadOnlySpan{float}, MatVecPrecision, MatVecActivation, int,
    /// CancellationToken)"/>, writing into <paramref name="destination"/> (exactly the output length).</summary>
    public static void Multiply(
        Mxfp4Matrix matrix,
        ReadOnlySpan<float> x,
        Span<float> destination,
        ReadOnlySpan<float> bias = default,
        MatVecPrecision precision = MatVecPrecision.Exact,
        MatVecActivation activation = MatVecActivation.None,
        int threads = 0,
        CancellationToken cancellationToken = default)
        => Multiply(matrix, x, destination, bias, precision, activation, threads, ActivePath, cancellationToken);

    /// <summary>
    /// Several vectors against the same matrix, reading the weights from memory once for the whole batch (each chunk
    /// of rows is multiplied by every vector while it is in cache). Meant for small batches (up to about 8).
    /// Each result is bitwise equal to <see cref="Multiply(Mxfp4Matrix, ReadOnlySpan{float}, ReadOnlySpan{float}, MatVecPrecision,
    /// MatVecActivation, int, CancellationToken)"/> of that vector.
    /// </summary>
    public static float[][] MultiplyBatch(
        Mxfp4Matrix matrix,
        IReadOnlyList<float[]> vectors,
        ReadOnlySpan<float> bias = default,
        MatVecPrecision precision = MatVecPrecision.Exact,
        MatVecActivation activation = MatVecActivation.None,
        int threads = 0,
        CancellationToken cancellationToken = default)
        => MultiplyBatch(matrix, vectors, bias, precision, activation, threads, ActivePath, cancellationToken);

    internal static float[] Multiply(Mxfp4Matrix matrix, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, MatVecPrecision precision,
        MatVecActivation activation, int threads, KernelPath path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var y = new float[OutputLength(matrix, activation)];
        Multiply(matrix, x, y, bias, precision, activation, threads, path, cancellationToken);
        return y;
    }

    internal static unsafe void Multiply(Mxfp4Matrix matrix, ReadOnlySpan<float> x, Span<float> destination, ReadOnlySpan<float> bias,
        MatVecPrecision precision, MatVecActivation activation, int threads, KernelPath path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int outputs = OutputLength(matrix, activation);
        CheckVector(matrix, x.Length);
        CheckBias(matrix, bias.Length);
        if (destination.Length != outputs)
        {
            throw new Mxfp4Exception(ErrorIds.ShapeMismatch, Mxfp4ErrorCategory.InvalidArgument,
                $"The destination has {destination.Length} elements but the product has {outputs}.", matrix.Name);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var prepared = new[] { PreparedVector.Create(x, precision) };
        fixed (float* target = destination)
        fixed (float* biasPointer = bias)
        {
            Run(matrix, prepared, [(nint)target], (nint)biasPointer, bias.Length != 0, activation, threads, path, cancellationToken);
        }
    }

    internal static unsafe float[][] MultiplyBatch(Mxfp4Matrix matrix, IReadOnlyList<float[]> vectors, ReadOnlySpan<float> bias,
        MatVecPrecision precision, MatVecActivation activation, int threads, KernelPath path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(vectors);
        int outputs = OutputLength(matrix, activation);
        CheckBias(matrix, bias.Length);
        var prepared = new PreparedVector[vectors.Count];
        var results = new float[vectors.Count][];
        for (int v = 0; v < vectors.Count; v++)
        {
            var vector = vectors[v] ?? throw new ArgumentNullException(nameof(vectors), $"Vector {v} is null.");
            CheckVector(matrix, vector.Length);
            results[v] = new float[outputs];
        }

        cancellationToken.ThrowIfCancellationRequested();
        for (int v = 0; v < vectors.Count; v++)
        {
            prepared[v] = PreparedVector.Create(vectors[v], precision);
        }

        var handles = new GCHandle[results.Length];
        try
        {
            var targets = new nint[results.Length];
            for (int v = 0; v < results.Length; v++)
            {
                handles[v] = GCHandle.Alloc(results[v], GCHandleType.Pinned);
                targets[v] = handles[v].AddrOfPinnedObject();
            }

            fixed (float* biasPointer = bias)
            {
                Run(matrix, prepared, targets, (nint)biasPointer, bias.Length != 0, activation, threads, path, cancellationToken);
            }
        }
        finally
        {
            foreach (var handle in handles)
            {
                if (handle.IsAllocated)
                {
                    handle.Free();
                }
            }
        }

        return results;
    }

    private static unsafe void Run(Mxfp4Matrix matrix, PreparedVector[] vectors, nint[] targets, nint bias, bool hasBias,
        MatVecActivation activation, int threads, KernelPath path, CancellationToken cancellationToken)
    {
        long rows = matrix.Rows;
        if (rows == 0 || vectors.Length == 0)
        {
            return;
        }

        var pool = WorkerPool.Shared;
        int workers = threads <= 0 ? pool.ThreadCount : Math.Min(threads, pool.ThreadCount);
        workers = (int)Math.Min(workers, (rows + RowUnit - 1) / RowUnit);
        int groups = matrix.GroupsPerRow;
        int chunkRows = Math.Min(Math.Max(ChunkBytes / matrix.BlockBytesPerRow, ChunkRowMultiple) & -ChunkRowMultiple,
            Math.Max(matrix.MaxRowsPerWindow & ~1, 2));

        pool.Run(workers, worker =>
        {
            var (start, end) = Partition.Range(rows, workers, worker, RowUnit);
            var sums = new double[chunkRows];
            for (long first = start; first < end; first += chunkRows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int count = (int)Math.Min(chunkRows, end - first);

                // The window reaches one chunk further than the rows summed, so the kernels' prefetches run ahead across
                // the chunk's end instead of stopping at it.
                int window = (int)Math.Min(Math.Min(2L * chunkRows, rows - first), Math.Max(matrix.MaxRowsPerWindow, count));
                matrix.GetRows(first, window, out var blocks, out var scales);
                var chunkSums = sums.AsSpan(0, count);
                var chunkBias = hasBias ? new ReadOnlySpan<float>((float*)bias + first, count) : default;
                for (int v = 0; v < vectors.Length; v++)
                {
                    vectors[v].RowSums(blocks, scales, groups, chunkSums, path);
                    if (activation == MatVecActivation.SwiGLU)
                    {
                        WriteSwiGlu(chunkSums, chunkBias, new Span<float>((float*)targets[v] + (first / 2), count / 2));
                    }
                    else
                    {
                        WriteLinear(chunkSums, chunkBias, new Span<float>((float*)targets[v] + first, count));
                    }
                }
            }
        });
    }

    private static void WriteLinear(ReadOnlySpan<double> sums, ReadOnlySpan<float> bias, Span<float> destination)
    {
        for (int r = 0; r < sums.Length; r++)
        {
            destination[r] = Finish(sums[r], bias.IsEmpty ? 0f : bias[r]);
        }
    }

    private static void WriteSwiGlu(ReadOnlySpan<double> sums, ReadOnlySpan<float> bias, Span<float> destination)
    {
        for (int pair = 0; pair < destination.Length; pair++)
        {
            float gate = Finish(sums[2 * pair], bias.IsEmpty ? 0f : bias[2 * pair]);
            float up = Finish(sums[(2 * pair) + 1], bias.IsEmpty ? 0f : bias[(2 * pair) + 1]);
            destination[pair] = Canonical(SwiGlu.Apply(gate, up));
        }
    }

    /// <summary>The biased row, rounded once to float32.</summary>
    private static float Finish(double sum, float bias) => Canonical((float)(sum + bias));

    private static float Canonical(float value) => float.IsNaN(value) ? BitConverter.UInt32BitsToSingle(Mxfp4Format.NaNBitsF32) : value;

    private static int OutputLength(Mxfp4Matrix matrix, MatVecActivation activation)
    {
        if (activation == MatVecActivation.SwiGLU && matrix.Rows % 2 != 0)
        {
            throw new Mxfp4Exception(ErrorIds.ShapeMismatch, Mxfp4ErrorCategory.InvalidArgument,
                $"SwiGLU needs gate/up row pairs, but the matrix has an odd number of rows ({matrix.Rows}).", matrix.Name);
        }

        long outputs = activation == MatVecActivation.SwiGLU ? matrix.Rows / 2 : matrix.Rows;
        if (outputs > Array.MaxLength)
        {
            throw new Mxfp4Exception(ErrorIds.LimitsExceeded, Mxfp4ErrorCategory.LimitsExceeded,
                $"The product would have {outputs} elements, more than one array can hold; multiply a slice of rows instead.", matrix.Name);
        }

        return (int)outputs;
    }

    private static void CheckVector(Mxfp4Matrix matrix, int length)
    {
        if (length != matrix.Columns)
        {
            throw new Mxfp4Exception(ErrorIds.ShapeMismatch, Mxfp4ErrorCategory.InvalidArgument,
                $"The vector has {length} elements but the matrix has {matrix.Columns} columns.", matrix.Name);
        }
    }

    private static void CheckBias(Mxfp4Matrix matrix, int length)
    {
        if (length != 0 && length != matrix.Rows)
        {
            throw new Mxfp4Exception(ErrorIds.ShapeMismatch, Mxfp4ErrorCategory.InvalidArgument,
                $"The bias has {Plural.Of(length, "element", "elements")} but the matrix has {Plural.Of(matrix.Rows, "row", "rows")}.",
                matrix.Name);
        }
    }

    private static KernelPath SelectPath()
    {
        bool fusedMultiplyAdd = Fma.IsSupported || AdvSimd.IsSupported;
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
        {
            return KernelPath.Vector512;
        }

        if (Vector256.IsHardwareAccelerated && Avx2.IsSupported && fusedMultiplyAdd)
        {
            return KernelPath.Vector256;
        }

        return Vector128.IsHardwareAccelerated && fusedMultiplyAdd ? KernelPath.Vector128 : KernelPath.Scalar;
    }
}

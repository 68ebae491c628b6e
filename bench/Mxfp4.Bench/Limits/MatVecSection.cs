using System.Globalization;
using Mxfp4.Bench.Peer;
using Mxfp4.Core.MatVec;

namespace Mxfp4.Bench.Limits;

/// <summary>
/// The fused matrix-vector product against read bandwidth and against ggml: y = W·x over all experts of the workload
/// (out of cache) and over one expert (5760 × 2880, 8.8 MB, cache-resident when repeated), Exact and Int8, on one
/// thread and on all. Throughput counts the MXFP4 bytes read (blocks and scales; ggml's 17-byte blocks are the same
/// bytes), the only large stream a matvec touches. The limit for the out-of-cache rows is the read bandwidth of the
/// whole workload, for the one-expert rows that of reading one expert's blocks repeatedly (in cache).
/// </summary>
internal sealed class MatVecSection : ILimitsSection
{
    private const double ExactErrorLimit = 1e-6;

    private static readonly TimeSpan PauseAfterGgml = TimeSpan.FromMilliseconds(300);

    public string Title => "Fused matvec vs read bandwidth and ggml";

    public string Baseline
        => "ours/limit = MXFP4 bytes per second / read bandwidth (vectorized sum of the same blocks) on the same threads; ours/ggml = "
            + "ours / ggml's faster path (plain or CPU_REPACK) on the same matrix and threads. Check: max |y − y64| / Σ|w·x| on 256 "
                + "sampled rows, y64 the float64 sum over the reference weights";

    public LimitsSectionResult Run(LimitsWorkload workload, Bandwidth bandwidth)
    {
        var rows = new List<LimitsMeasurement>();
        var targets = new List<LimitsTarget>();
        var threadCounts = workload.Threads == 1 ? new[] { 1 } : new[] { 1, workload.Threads };
        var all = new Mxfp4Matrix(workload.Blocks, workload.Scales, LimitsWorkload.GroupsPerRow, "gate_up, all experts");
        var one = all.Expert(0, LimitsWorkload.Rows);
        var x = new float[all.Columns];
        var random = new Random(11);
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)((random.NextDouble() * 2) - 1);
        }

        using var peer = GgmlPeer.Create(workload);
        var singleThreaded = new Dictionary<(string, MatVecPrecision), float[]>();
        foreach (int threads in threadCounts)
        {
            foreach (var (matrix, label) in new[] { (all, $"{workload.Experts} experts, out of cache"), (one, "1 expert, in cache") })
            {
                long bytes = matrix.Rows * (matrix.BlockBytesPerRow + matrix.GroupsPerRow);
                long blockBytes = matrix.Rows * matrix.BlockBytesPerRow;
                Throughput read;
                unsafe
                {
                    read = bandwidth.Measure(blockBytes, () => Bandwidth.Sum(workload.BlocksPointer, blockBytes, threads));
                }

                rows.Add(new LimitsMeasurement($"read (sum of the blocks), {label}", threads, blockBytes, read, 1.0));

                var y = new float[matrix.Rows];
                var ours = new List<(MatVecPrecision Precision, LimitsMeasurement Row)>();
                foreach (var precision in Enum.GetValues<MatVecPrecision>())
                {
                    var speed = bandwidth.Measure(bytes, ()
                        => Mxfp4MatVec.Multiply(matrix, x, y, default, precision, MatVecActivation.None, threads));
                    double error = ReferenceCheck.MatVecError(workload, 0, y, x);
                    string identical = "";
                    if (threads == 1)
                    {
                        singleThreaded[(label, precision)] = (float[])y.Clone();
                    }
                    else
                    {
                        identical = y.AsSpan().SequenceEqual(singleThreaded[(label, precision)]) ? "; bitwise = 1 thread"
                            : "; DIFFERS from 1 thread";
                    }

                    ours.Add(
                        (precision,
                        new LimitsMeasurement($"**ours {precision}**, {label} ({speed.MedianSeconds * 1e3:F2} ms)", threads, bytes, speed,
                        speed.Median / read.Median, null, Invariant($"error {error:E1}{identical}"))));
                    if (threads != workload.Threads || threads == 1)
                    {
                        continue;
                    }

                    bool exact = precision == MatVecPrecision.Exact;
                    if (matrix == all)
                    {
                        targets.Add(
                            new LimitsTarget(
                            Invariant($"matvec {precision} ≥ {(exact ? 0.8 : 0.9)}× read, out of cache ({threads} threads)"),
                            speed.Median / read.Median, exact ? 0.8 : 0.9));
                    }

                    if (exact && matrix == all)
                    {
                        targets.Add(
                            new LimitsTarget(
                            Invariant($"matvec Exact max |y − y64| / Σ|w·x| ≤ {ExactErrorLimit:E0} ")
                                + Invariant($"(measured {error:E1}; shown: limit ÷ error)"),
                            ExactErrorLimit / Math.Max(error, 1e-300), 1.0));
                    }

                    if (identical.Length > 0)
                    {
                        targets.Add(
                            new LimitsTarget($"matvec {precision}, {label}: bitwise identical on 1 and {threads} threads (1 = yes)",
                            identical.Contains("bitwise", StringComparison.Ordinal) ? 1 : 0, 1));
                    }
                }

                // ggml after ours: its OpenMP threads keep spinning for a while after each graph, which would slow
                // whatever runs next on this 2-CPU machine; the pause lets them go to sleep before the next group.
                double ggmlBest = 0;
                var ggmlRows = new List<LimitsMeasurement>();
                foreach (bool repack in peer is null ? [] : new[] { false, true })
                {
                    var ggml = peer!.MatVec(matrix == all, repack);
                    ggml.SetThreads(threads);
                    var speed = bandwidth.Measure(bytes, () => ggml.Multiply(x, y));
                    double error = ReferenceCheck.MatVecError(workload, 0, y, x);
                    ggmlBest = Math.Max(ggmlBest, speed.Median);
                    ggmlRows.Add(
                        new LimitsMeasurement(
                        $"ggml mul_mat MXFP4 × F32 ({(repack ? "CPU_REPACK 8×8" : "plain")}), {label} "
                            + $"({speed.MedianSeconds * 1e3:F2} ms)",
                        threads, bytes, speed, speed.Median / read.Median, null, Invariant($"error {error:E1} (x quantized to Q8_0)")));
                }

                Thread.Sleep(PauseAfterGgml);
                foreach (var (precision, row) in ours)
                {
                    double? vsGgml = ggmlBest > 0 ? row.Speed.Median / ggmlBest : null;
                    rows.Add(row with { RatioToGgml = vsGgml });
                    if (threads != workload.Threads || threads == 1 || vsGgml is not { } ratio)
                    {
                        continue;
                    }

                    bool exact = precision == MatVecPrecision.Exact;
                    double required = (matrix == all, exact) switch
                    {
                        (true, true) => 1.0,
                        (true, false) => 1.1,
                        (false, true) => 1.25,
                        _ => 1.5
                    };
                    targets.Add(
                        new LimitsTarget(Invariant($"matvec {precision} ≥ {required}× ggml's faster path, {label} ({threads} threads)"),
                        ratio, required));
                }

                rows.AddRange(ggmlRows);
            }
        }

        return new LimitsSectionResult(rows, targets);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

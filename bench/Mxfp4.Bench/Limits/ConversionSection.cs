using System.Diagnostics;
using System.Globalization;
using Mxfp4.Core.Conversion;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Bench.Limits;

/// <summary>
/// Whole-checkpoint conversion (MXFP4 → BF16, natural layout) of a generated gpt-oss-20b slice on disk, against the
/// bound for any converter: writing the same files with a plain sequential <see cref="FileStream"/> (same 16 MiB
/// chunks, same preallocation, same flush to disk). Both outputs are written the same way into the same temp
/// directory; the input is the freshly generated checkpoint (in the page cache, as after a download) and
/// <c>sync</c> runs before each timed write so neither pays for the other's dirty pages. Peak anonymous memory
/// (RssAnon) is sampled every 20 ms during the conversion. All data is deleted at the end.
/// </summary>
internal sealed class ConversionSection : ILimitsSection
{
    private const int ChunkBytes = 16 << 20;
    private const long MemoryLimitBytes = 512L << 20;
    private const double TimeLimitRatio = 1.2;

    public string Title => "Checkpoint conversion vs plain file write";

    /// <summary>Timed runs per side, alternating conversion and plain write so both see the same machine load.</summary>
    private const int Runs = 3;

    public string Baseline
        => "ours/limit = conversion throughput / a plain sequential FileStream write of the same output files (16 MiB chunks, "
            + "preallocated, flushed to disk); medians of 3 runs each, alternating";

    public LimitsSectionResult Run(LimitsWorkload workload, Bandwidth bandwidth)
    {
        string root = Path.Combine(Path.GetTempPath(), "mxfp4-bench-conversion-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            string input = Path.Combine(root, "in");
            var setup = Stopwatch.StartNew();
            long mxfp4Bytes = ConversionCheckpoint.Write(input, workload.Experts);
            double setupSeconds = setup.Elapsed.TotalSeconds;

            var convertRuns = new List<double>();
            var plainRuns = new List<double>();
            List<long> outputSizes = [];
            long baselineAnon = 0;
            long peakAnon = 0;
            for (int run = 0; run < Runs; run++)
            {
                var (sizes, seconds, baseline, peak) = Convert(input, Path.Combine(root, "converted"), workload.Threads);
                Directory.Delete(Path.Combine(root, "converted"), recursive: true);
                convertRuns.Add(seconds);
                outputSizes = sizes;
                baselineAnon = baseline;
                peakAnon = Math.Max(peakAnon, peak);
                plainRuns.Add(PlainWrite(Path.Combine(root, "plain"), outputSizes));
                Directory.Delete(Path.Combine(root, "plain"), recursive: true);
            }

            double convertSeconds = Throughput.MedianOf(convertRuns);
            double plainSeconds = Throughput.MedianOf(plainRuns);
            long outputBytes = outputSizes.Sum();
            long anonIncrease = Math.Max(peakAnon - baselineAnon, 0);
            string memory = AnonymousMemorySampler.IsSupported
                ? Invariant(
                    $"peak RssAnon {peakAnon / (1 << 20)} MiB = +{anonIncrease / (1 << 20)} MiB over {baselineAnon / (1 << 20)} MiB before")
                : "RssAnon not available on this OS";
            var rows = new List<LimitsMeasurement>
            {
                new(Invariant($"plain FileStream write + fsync, {outputSizes.Count} files ({plainSeconds:F2} s)"), 1, outputBytes,
                    Throughput.Of(outputBytes, plainRuns), 1.0),
                new(Invariant(
                    $"convert {mxfp4Bytes / 1e6:F0} MB MXFP4 ({workload.Experts} experts × {ConversionCheckpoint.Layers} layers, ")
                        + Invariant($"generated in {setupSeconds:F1} s) → BF16 + fsync ({convertSeconds:F2} s; {memory})"),
                            workload.Threads,
                            outputBytes, Throughput.Of(outputBytes, convertRuns), plainSeconds / convertSeconds),
            };
            var targets = new List<LimitsTarget>
            {
                new(Invariant($"conversion time ≤ {TimeLimitRatio}× plain write (shown: plain ÷ conversion time)"),
                    plainSeconds / convertSeconds, 1 / TimeLimitRatio),
            };
            if (AnonymousMemorySampler.IsSupported)
            {
                targets.Add(
                    new(Invariant(
                        $"RssAnon increase during conversion ≤ {MemoryLimitBytes >> 20} MiB (+{anonIncrease / (1 << 20)} MiB; shown: ")
                            + "limit "
                            + "÷ "
                        + "increase)", MemoryLimitBytes / (double)Math.Max(anonIncrease, 1), 1.0));
            }

            return new LimitsSectionResult(rows, targets);
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static (List<long> OutputSizes, double Seconds, long BaselineAnon, long PeakAnon) Convert(string input, string destination,
        int threads)
    {
        using var checkpoint = Checkpoint.Open(input);
        var plan = ConversionPlan.Create(checkpoint, destination,
            new ConversionOptions
            {
                Format = OutputFormat.BF16,
                Layout = ConversionLayout.Natural,
                ChunkBytes = ChunkBytes,
                Threads = threads
            });
        PlainFiles.Sync();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long baseline = AnonymousMemorySampler.Current();
        using var sampler = new AnonymousMemorySampler();
        long start = Stopwatch.GetTimestamp();
        var result = CheckpointConverter.Execute(checkpoint, plan);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        long peak = sampler.PeakBytes;
        var sizes = result.WrittenFiles.Where(f => f.EndsWith(".safetensors", StringComparison.Ordinal)).Select(f
            => new FileInfo(f).Length).ToList();
        return (sizes, seconds, baseline, peak);
    }

    /// <summary>Writes files of the given sizes exactly as the converter's atomic files are written, from one 16 MiB buffer.</summary>
    private static double PlainWrite(string directory, List<long> sizes)
    {
        Directory.CreateDirectory(directory);
        var buffer = PlainFiles.Chunk(ChunkBytes);
        PlainFiles.Sync();
        long start = Stopwatch.GetTimestamp();
        PlainFiles.Write(directory, sizes, buffer);

        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

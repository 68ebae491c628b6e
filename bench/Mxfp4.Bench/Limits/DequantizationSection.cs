using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Numerics;

namespace Mxfp4.Bench.Limits;

/// <summary>
/// Dequantization against memset of the same output bytes (the bound for a write-dominated kernel), plus the read
/// bandwidth of the input, on one thread and on all: directly into pre-faulted buffers and through
/// <see cref="DequantizingStream"/> with 1 MiB reads into a reused buffer.
/// </summary>
internal sealed unsafe class DequantizationSection : ILimitsSection
{
    private const int StreamReadBytes = 1 << 20;

    public string Title => "Dequantization vs memset";

    public string Baseline => "ratio = throughput / memset of the same number of output bytes on the same number of threads";

    public LimitsSectionResult Run(LimitsWorkload workload, Bandwidth bandwidth)
    {
        var rows = new List<LimitsMeasurement>();
        var targets = new List<LimitsTarget>();
        var threadCounts = workload.Threads == 1 ? new[] { 1 } : new[] { 1, workload.Threads };
        long count = workload.ElementCount;
        using var f32 = new NativeBuffer(count * OutputFormat.F32.BytesPerElement());
        using var half = new NativeBuffer(count * OutputFormat.BF16.BytesPerElement());
        var memset = new Dictionary<(long Bytes, int Threads), double>();

        foreach (int threads in threadCounts)
        {
            foreach (var buffer in new[] { f32, half })
            {
                long unitBytes = ParallelDecoder.PartitionUnit(workload.Source, buffer == f32 ? OutputFormat.F32 : OutputFormat.BF16) * (buffer == f32 ? 4 : 2);
                double gbps = bandwidth.Measure(buffer.Length, () => Bandwidth.Fill(buffer.Pointer, buffer.Length, threads, unitBytes));
                memset[(buffer.Length, threads)] = gbps;
                rows.Add(new LimitsMeasurement("memset", threads, buffer.Length, gbps, 1.0));
            }

            long inputBytes = workload.Blocks.LongLength;
            rows.Add(new LimitsMeasurement("read (sum of MXFP4 blocks)", threads, inputBytes, bandwidth.Measure(inputBytes, () => Bandwidth.Sum(workload.BlocksPointer, inputBytes, threads))));
        }

        var direct = new Dictionary<(OutputFormat, int), double>();
        foreach (int threads in threadCounts)
        {
            foreach (var format in Enum.GetValues<OutputFormat>())
            {
                var buffer = format == OutputFormat.F32 ? f32 : half;
                Warm(workload, format, buffer);
                double gbps = bandwidth.Measure(buffer.Length, () => ParallelDecoder.Decode(workload.Source, 0, count, buffer.Pointer, buffer.Length, format, threads, CancellationToken.None));
                direct[(format, threads)] = gbps;
                rows.Add(new LimitsMeasurement($"dequantize {format}", threads, buffer.Length, gbps, gbps / memset[(buffer.Length, threads)]));
            }
        }

        int all = workload.Threads;
        rows.AddRange(StreamingStoreComparison(workload, bandwidth, f32, half, memset));

        var readBuffer = GC.AllocateUninitializedArray<byte>(StreamReadBytes, pinned: true);
        foreach (var format in Enum.GetValues<OutputFormat>())
        {
            long bytes = count * format.BytesPerElement();
            double gbps = bandwidth.Measure(bytes, () => ReadThroughStream(workload, format, all, readBuffer));
            rows.Add(new LimitsMeasurement($"DequantizingStream {format}, 1 MiB reads", all, bytes, gbps, gbps / memset[(bytes, all)]));
            targets.Add(new LimitsTarget($"stream {format} within 15% of direct ({all} threads)", gbps / direct[(format, all)], 0.85));
        }

        targets.InsertRange(0,
        [
            new LimitsTarget($"F32 ≥ 0.9× memset ({all} threads)", direct[(OutputFormat.F32, all)] / memset[(f32.Length, all)], 0.9),
            new LimitsTarget($"BF16 ≥ 0.9× memset ({all} threads)", direct[(OutputFormat.BF16, all)] / memset[(half.Length, all)], 0.9),
            new LimitsTarget($"F16 ≥ 0.8× memset ({all} threads)", direct[(OutputFormat.F16, all)] / memset[(half.Length, all)], 0.8),
            new LimitsTarget("F32 ≥ 0.8× memset (1 thread)", direct[(OutputFormat.F32, 1)] / memset[(f32.Length, 1)], 0.8),
        ]);
        return new LimitsSectionResult(rows, targets);
    }

    /// <summary>
    /// The same big decodes with streaming (non-temporal) stores switched on, so the report shows what they are worth
    /// on this machine; the direct rows above use the default, ordinary cached stores.
    /// </summary>
    private static List<LimitsMeasurement> StreamingStoreComparison(LimitsWorkload workload, Bandwidth bandwidth, NativeBuffer f32, NativeBuffer half, Dictionary<(long Bytes, int Threads), double> memset)
    {
        var rows = new List<LimitsMeasurement>(DecoderCeiling(workload, bandwidth, f32, memset, "cached stores"));
        long saved = ParallelDecoder.StreamingThresholdBytes;
        ParallelDecoder.StreamingThresholdBytes = 32L << 20;
        try
        {
            foreach (var (format, buffer) in new[] { (OutputFormat.F32, f32), (OutputFormat.BF16, half) })
            {
                double gbps = bandwidth.Measure(buffer.Length, () => ParallelDecoder.Decode(workload.Source, 0, workload.ElementCount, buffer.Pointer, buffer.Length, format, workload.Threads, CancellationToken.None));
                rows.Add(new LimitsMeasurement($"dequantize {format}, streaming stores (diagnostic)", workload.Threads, buffer.Length, gbps, gbps / memset[(buffer.Length, workload.Threads)]));
            }

            rows.AddRange(DecoderCeiling(workload, bandwidth, f32, memset, "streaming stores"));
        }
        finally
        {
            ParallelDecoder.StreamingThresholdBytes = saved;
        }

        return rows;
    }

    /// <summary>The decoder over a source that only fills its output: the most any kernel can reach through it.</summary>
    private static List<LimitsMeasurement> DecoderCeiling(LimitsWorkload workload, Bandwidth bandwidth, NativeBuffer f32, Dictionary<(long Bytes, int Threads), double> memset, string stores)
    {
        var rows = new List<LimitsMeasurement>();
        var fill = new FillSource(workload.ElementCount);
        foreach (int threads in workload.Threads == 1 ? new[] { 1 } : new[] { 1, workload.Threads })
        {
            double gbps = bandwidth.Measure(f32.Length, () => ParallelDecoder.Decode(fill, 0, fill.ElementCount, f32.Pointer, f32.Length, OutputFormat.F32, threads, CancellationToken.None));
            rows.Add(new LimitsMeasurement($"decoder ceiling: fill source F32, {stores} (diagnostic)", threads, f32.Length, gbps, gbps / memset[(f32.Length, threads)]));
        }

        return rows;
    }

    /// <summary>Runs the decoder once on a small slice so tiering and the pool's threads are warm before timing.</summary>
    private static void Warm(LimitsWorkload workload, OutputFormat format, NativeBuffer buffer)
    {
        long elements = Math.Min(workload.ElementCount, 1L << 20);
        for (int i = 0; i < 3; i++)
        {
            ParallelDecoder.Decode(workload.Source, 0, elements, buffer.Pointer, buffer.Length, format, workload.Threads, CancellationToken.None);
        }
    }

    private static long ReadThroughStream(LimitsWorkload workload, OutputFormat format, int threads, byte[] buffer)
    {
        using var stream = new DequantizingStream(workload.Source, format, threads);
        long total = 0;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) != 0)
        {
            total += read;
        }

        return total;
    }
}

using System.Runtime.InteropServices;
using Mxfp4.Bench.Peer;
using Mxfp4.Core.Decoding;
using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Numerics;

namespace Mxfp4.Bench.Limits;

/// <summary>
/// Dequantization against glibc memset of the same output bytes (the bound for a write-dominated kernel) and against
/// ggml's dequantize_row_mxfp4, on one thread and on all, into pre-faulted buffers; then what first touch of fresh
/// memory costs, what streaming stores are worth, and <see cref="DequantizingStream"/> against a direct decode into
/// the same reused 1 MiB buffer.
/// </summary>
internal sealed unsafe class DequantizationSection : ILimitsSection
{
    private const int StreamReadBytes = 1 << 20;

    public string Title => "Dequantization vs glibc memset and ggml";

    public string Baseline
        => "ours/limit = throughput / glibc memset of the same output bytes on the same threads (pre-faulted; for our rows timed in "
            + "alternation with them, run for run); ours/ggml = ours / ggml's "
            + "dequantize_row_mxfp4 → F32 on the same threads. Every timed output is checked on 4096 sampled blocks against the scalar "
                + "reference";

    public LimitsSectionResult Run(LimitsWorkload workload, Bandwidth bandwidth)
    {
        var rows = new List<LimitsMeasurement>();
        var targets = new List<LimitsTarget>();
        var threadCounts = workload.Threads == 1 ? new[] { 1 } : new[] { 1, workload.Threads };
        int all = workload.Threads;
        long count = workload.ElementCount;
        using var f32 = new NativeBuffer(count * OutputFormat.F32.BytesPerElement());
        using var half = new NativeBuffer(count * OutputFormat.BF16.BytesPerElement());
        var memset = new Dictionary<(long Bytes, int Threads), double>();
        var vsMemset = new Dictionary<(OutputFormat, int), double>();
        using var peer = GgmlPeer.Create(workload);

        foreach (int threads in threadCounts)
        {
            foreach (var buffer in new[] { f32, half })
            {
                long unitBytes = ParallelDecoder.PartitionUnit(workload.Source, buffer == f32 ? OutputFormat.F32 : OutputFormat.BF16) * (
                    buffer == f32 ? 4 : 2);
                var glibc = bandwidth.Measure(buffer.Length, () => Bandwidth.Memset(buffer.Pointer, buffer.Length, threads, unitBytes));
                memset[(buffer.Length, threads)] = glibc.Median;
                rows.Add(new LimitsMeasurement("glibc memset", threads, buffer.Length, glibc, 1.0));
                if (buffer == f32)
                {
                    var fill = bandwidth.Measure(buffer.Length, () => Bandwidth.Fill(buffer.Pointer, buffer.Length, threads, unitBytes));
                    rows.Add(
                        new LimitsMeasurement("NativeMemory.Fill (the old baseline; diagnostic)", threads, buffer.Length, fill,
                        fill.Median / glibc.Median));
                }
            }

            double ggml = 0;
            if (peer is not null)
            {
                var speed = bandwidth.Measure(f32.Length, () => peer.Dequantize((float*)f32.Pointer, threads));
                ggml = speed.Median;
                rows.Add(
                    new LimitsMeasurement("ggml dequantize_row_mxfp4 → F32", threads, f32.Length, speed,
                    speed.Median / memset[(f32.Length, threads)], null, ReferenceCheck.GgmlDecoded(workload, (float*)f32.Pointer)));
            }

            foreach (var format in Enum.GetValues<OutputFormat>())
            {
                var buffer = format == OutputFormat.F32 ? f32 : half;
                long unitBytes = ParallelDecoder.PartitionUnit(workload.Source, format) * format.BytesPerElement();
                var (glibc, speed) = bandwidth.MeasureAlternating(
                    buffer.Length,
                    () => Bandwidth.Memset(buffer.Pointer, buffer.Length, threads, unitBytes),
                    () => ParallelDecoder.Decode(workload.Source, 0, count, buffer.Pointer, buffer.Length, format, threads,
                        CancellationToken.None));
                vsMemset[(format, threads)] = speed.Median / glibc.Median;
                double? vsGgml = format == OutputFormat.F32 && ggml > 0 ? speed.Median / ggml : null;
                rows.Add(
                    new LimitsMeasurement(
                    $"**ours {format}**{StoreLabel(buffer.Length)}; glibc memset in alternation {glibc.Median:F2} GB/s",
                    threads, buffer.Length, speed, speed.Median / glibc.Median, vsGgml,
                    ReferenceCheck.Decoded(workload, buffer.Pointer, format)));
            }
        }

        rows.AddRange(StoreComparison(workload, bandwidth, f32, half, memset));
        rows.AddRange(FirstTouch(workload, bandwidth, f32.Length, memset[(f32.Length, all)]));

        var (streamRows, streamTargets) = Stream(workload, bandwidth, memset, all);
        rows.AddRange(streamRows);
        targets.AddRange(
        [
            new LimitsTarget($"F32 ≥ 0.9× glibc memset ({all} threads)", vsMemset[(OutputFormat.F32, all)], 0.9),
            new LimitsTarget($"BF16 ≥ 0.9× glibc memset ({all} threads)", vsMemset[(OutputFormat.BF16, all)], 0.9),
            new LimitsTarget($"F16 ≥ 0.8× glibc memset ({all} threads)", vsMemset[(OutputFormat.F16, all)], 0.8),
        ]);
        targets.AddRange(streamTargets);
        return new LimitsSectionResult(rows, targets);
    }

    private static string StoreLabel(long bytes) => bytes >= ParallelDecoder.StreamingThresholdBytes ? " (streaming stores, the default)"
        : " (cached stores, the default)";

    /// <summary>The same big decodes with the other store kind than the default, and the decoder's own ceiling with both.</summary>
    private static List<LimitsMeasurement> StoreComparison(LimitsWorkload workload, Bandwidth bandwidth, NativeBuffer f32,
        NativeBuffer half, Dictionary<(long Bytes, int Threads), double> memset)
    {
        var rows = new List<LimitsMeasurement>();
        long saved = ParallelDecoder.StreamingThresholdBytes;
        try
        {
            foreach (bool streaming in new[] { false, true })
            {
                ParallelDecoder.StreamingThresholdBytes = streaming ? 32L << 20 : long.MaxValue;
                string stores = streaming ? "streaming stores" : "cached stores";
                if (streaming != (saved != long.MaxValue))
                {
                    foreach (var format in Enum.GetValues<OutputFormat>())
                    {
                        var buffer = format == OutputFormat.F32 ? f32 : half;
                        var speed = bandwidth.Measure(buffer.Length, ()
                            => ParallelDecoder.Decode(workload.Source, 0, workload.ElementCount, buffer.Pointer, buffer.Length, format,
                            workload.Threads, CancellationToken.None));
                        rows.Add(
                            new LimitsMeasurement($"ours {format}, {stores} (diagnostic)", workload.Threads, buffer.Length, speed,
                            speed.Median / memset[(buffer.Length, workload.Threads)], null,
                            ReferenceCheck.Decoded(workload, buffer.Pointer, format)));
                    }
                }

                var fill = new FillSource(workload.ElementCount);
                var ceiling = bandwidth.Measure(f32.Length, ()
                    => ParallelDecoder.Decode(fill, 0, fill.ElementCount, f32.Pointer, f32.Length, OutputFormat.F32, workload.Threads,
                    CancellationToken.None));
                rows.Add(
                    new LimitsMeasurement($"decoder ceiling: fill source F32, {stores} (diagnostic)", workload.Threads, f32.Length, ceiling,
                    ceiling.Median / memset[(f32.Length, workload.Threads)]));
            }
        }
        finally
        {
            ParallelDecoder.StreamingThresholdBytes = saved;
        }

        return rows;
    }

    /// <summary>
    /// F32 into freshly allocated memory, each run a new allocation that the decode faults in page by page (what a
    /// caller pays who allocates the output and decodes once), beside glibc memset into fresh memory.
    /// </summary>
    private static List<LimitsMeasurement> FirstTouch(LimitsWorkload workload, Bandwidth bandwidth, long bytes, double prefaultedMemset)
    {
        long unitBytes = ParallelDecoder.PartitionUnit(workload.Source, OutputFormat.F32) * 4;
        var fresh = bandwidth.Measure(bytes, ()
            => WithFreshMemory(bytes, pointer => Bandwidth.Memset((byte*)pointer, bytes, workload.Threads, unitBytes)));
        var decode = bandwidth.Measure(bytes, ()
            => WithFreshMemory(bytes, pointer
            => ParallelDecoder.Decode(workload.Source, 0, workload.ElementCount, (byte*)pointer, bytes, OutputFormat.F32, workload.Threads,
            CancellationToken.None)));
        return
        [
            new LimitsMeasurement("glibc memset into fresh memory (first touch: page faults; diagnostic)", workload.Threads, bytes, fresh,
                fresh.Median / prefaultedMemset),
            new LimitsMeasurement("ours F32 into fresh memory (first touch; diagnostic)", workload.Threads, bytes, decode,
                decode.Median / prefaultedMemset),
        ];
    }

    private static void WithFreshMemory(long bytes, Action<nint> use)
    {
        void* pointer = NativeMemory.AlignedAlloc((nuint)bytes, 64);
        try
        {
            use((nint)pointer);
        }
        finally
        {
            NativeMemory.AlignedFree(pointer);
        }
    }

    /// <summary>The stream's 1 MiB reads against direct decodes of the same 1 MiB pieces into the same reused buffer.</summary>
    private static (List<LimitsMeasurement>, List<LimitsTarget>) Stream(LimitsWorkload workload, Bandwidth bandwidth,
        Dictionary<(long Bytes, int Threads), double> memset, int threads)
    {
        var rows = new List<LimitsMeasurement>();
        var targets = new List<LimitsTarget>();
        var readBuffer = GC.AllocateUninitializedArray<byte>(StreamReadBytes, pinned: true);
        fixed (byte* pointer = readBuffer)
        {
            byte* target = pointer;
            foreach (var format in Enum.GetValues<OutputFormat>())
            {
                long bytes = workload.ElementCount * format.BytesPerElement();
                long piece = StreamReadBytes / format.BytesPerElement();
                var pieces = bandwidth.Measure(bytes, () =>
                {
                    for (long first = 0; first < workload.ElementCount; first += piece)
                    {
                        long elements = Math.Min(piece, workload.ElementCount - first);
                        ParallelDecoder.Decode(workload.Source, first, elements, target, StreamReadBytes, format, threads,
                            CancellationToken.None);
                    }
                });
                rows.Add(
                    new LimitsMeasurement($"ours {format}, direct 1 MiB decodes into one reused buffer", threads, bytes, pieces,
                    pieces.Median / memset[(bytes, threads)]));
                var stream = bandwidth.Measure(bytes, () => ReadThroughStream(workload, format, threads, readBuffer));
                rows.Add(
                    new LimitsMeasurement($"DequantizingStream {format}, 1 MiB reads into the same buffer", threads, bytes, stream,
                    stream.Median / memset[(bytes, threads)]));
                targets.Add(
                    new LimitsTarget($"stream {format} within 15% of direct 1 MiB decodes into the same buffer ({threads} threads)",
                    stream.Median / pieces.Median, 0.85));
            }
        }

        return (rows, targets);
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

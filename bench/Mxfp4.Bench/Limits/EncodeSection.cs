using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Mxfp4.Core.Decoding;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Quantization;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;
using Mxfp4.Core.Threading;

namespace Mxfp4.Bench.Limits;

/// <summary>
/// MXFP4 encoding of the workload's values as BF16 (the dense gpt-oss dtype) and F32, against the read bandwidth of
/// the same input bytes: an encoder reads 2 or 4 bytes per element and writes only 0.53, so reading bounds it.
/// </summary>
internal sealed unsafe class EncodeSection : ILimitsSection
{
    public string Title => "Encoding vs read";

    public string Baseline
        => "ratio = input bytes encoded per second / vectorized read of the same input bytes on the same number of threads, the "
            + "two timed in alternation, run for run; every timed output is checked on 4096 sampled blocks against the reference "
            + "encoder; "
            + "checkpoint rows: ratio = (read of the input file + write and fsync of the output bytes) time / checkpoint encode time, "
            + "medians of 5 runs each after an untimed encode, alternating";

    public LimitsSectionResult Run(LimitsWorkload workload, Bandwidth bandwidth)
    {
        var rows = new List<LimitsMeasurement>();
        var targets = new List<LimitsTarget>();
        long count = workload.ElementCount;
        long blockCount = count / Mxfp4Format.BlockElements;
        using var blocks = new NativeBuffer(blockCount * Mxfp4Format.BlockBytes);
        using var scales = new NativeBuffer(blockCount);
        var threadCounts = workload.Threads == 1 ? new[] { 1 } : new[] { 1, workload.Threads };
        foreach (var (dtype, format) in new[] { (SafetensorsDType.BF16, OutputFormat.BF16), (SafetensorsDType.F32, OutputFormat.F32) })
        {
            long inputBytes = count * format.BytesPerElement();
            if (inputBytes > Array.MaxLength)
            {
                continue;
            }

            var input = GC.AllocateUninitializedArray<byte>((int)inputBytes, pinned: true);
            ParallelDecoder.Decode(workload.Source, 0, count, input, format, workload.Threads, CancellationToken.None);
            var source = new FloatTensorSource(input, dtype);
            byte* pointer = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(input));
            foreach (int threads in threadCounts)
            {
                var read = bandwidth.Measure(inputBytes, () => Bandwidth.Sum(pointer, inputBytes, threads));
                rows.Add(new LimitsMeasurement($"read ({dtype} input)", threads, inputBytes, read, 1.0));
                foreach (var rule in Enum.GetValues<ScaleRule>())
                {
                    var (alternateRead, speed) = bandwidth.MeasureAlternating(
                        inputBytes,
                        () => Bandwidth.Sum(pointer, inputBytes, threads),
                        () => Encode(source, blockCount, blocks, scales, rule, threads));
                    string check = ReferenceCheck.Encoded(input, dtype, blockCount, (b, k) => (b * Mxfp4Format.BlockElements) + k,
                        blocks.Pointer, scales.Pointer, rule);
                    double ratio = speed.Median / alternateRead.Median;
                    rows.Add(new LimitsMeasurement(
                        $"encode {dtype} → MXFP4, rule {rule}; read in alternation {alternateRead.Median:F2} GB/s", threads, inputBytes,
                        speed, ratio, null, check));
                    if (threads == workload.Threads && rule == ScaleRule.Up)
                    {
                        targets.Add(new LimitsTarget($"encode {dtype} ≥ 0.8× read of its input ({threads} threads)", ratio, 0.8));
                    }
                }
            }

            if (dtype == SafetensorsDType.BF16)
            {
                long columns = LimitsWorkload.GroupsPerRow * Mxfp4Format.BlockElements;
                EncodeCheckpoint.Measure(input, workload.Experts, LimitsWorkload.Rows, columns, workload.Threads, rows, targets);
            }
        }

        return new LimitsSectionResult(rows, targets);
    }

    private static void Encode(TensorSource source, long blockCount, NativeBuffer blocks, NativeBuffer scales, ScaleRule rule, int threads)
        => ParallelEncoder.Encode(WorkerPool.Shared, source, 0, blockCount, blocks.Pointer, scales.Pointer, rule, threads, null,
            CancellationToken.None);
}

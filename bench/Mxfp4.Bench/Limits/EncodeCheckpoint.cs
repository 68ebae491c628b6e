using System.Diagnostics;
using System.Globalization;
using Mxfp4.Core.Conversion;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Quantization;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Bench.Limits;

/// <summary>
/// A whole-checkpoint encode as ConvertTo-Mxfp4 -Destination runs it (QuantizationPlan + CheckpointConverter, fsync
/// included), of one BF16 gate_up_proj on disk, against the bound for any encoder: reading the input file with read
/// calls in the engine's chunks plus writing the output's bytes with a plain FileStream (preallocated, flushed to
/// disk). The input is in the page cache (written, synced and read once before timing); <c>sync</c> runs before each
/// timed step so none pays for another's dirty pages. One untimed encode first (the bench jits every method fully
/// optimised on first call), then runs alternate engine and baseline; medians of <see cref="Runs"/>.
/// </summary>
internal static class EncodeCheckpoint
{
    private const int Runs = 5;
    private const int ChunkBytes = 16 << 20;
    private const double TimeLimitRatio = 1.2;
    private const string TensorName = "model.layers.0.mlp.experts.gate_up_proj";

    /// <summary>
    /// Writes <paramref name="bf16"/> (the workload as BF16, [experts, rows, columns]) as a checkpoint in each layout's
    /// shape, encodes it and measures the baseline; adds a row pair per layout and a target each.
    /// </summary>
    public static void Measure(byte[] bf16, long experts, long rows, long columns, int threads, List<LimitsMeasurement> measurements,
        List<LimitsTarget> targets)
    {
        string root = Path.Combine(Path.GetTempPath(), "mxfp4-bench-encode-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            foreach (var layout in new[] { ConversionLayout.Natural, ConversionLayout.Transformers })
            {
                string input = Path.Combine(root, "in-" + layout);
                long[] shape = layout == ConversionLayout.Natural ? [experts, rows, columns] : [experts, columns, rows];
                string file = WriteInput(input, bf16, shape);
                ReadInput(file);
                Encode(input, Path.Combine(root, "out"), layout, threads);
                string check = Check(bf16, Path.Combine(root, "out"), layout, rows, columns);
                Directory.Delete(Path.Combine(root, "out"), recursive: true);
                var engineRuns = new List<double>();
                var plainRuns = new List<double>();
                var engineCpu = new List<double>();
                var plainCpu = new List<double>();
                List<long> sizes = [];
                for (int run = 0; run < Runs; run++)
                {
                    string output = Path.Combine(root, "out");
                    (sizes, double seconds, double cpu) = Encode(input, output, layout, threads);
                    Directory.Delete(output, recursive: true);
                    engineRuns.Add(seconds);
                    engineCpu.Add(cpu);
                    (seconds, cpu) = ReadAndWrite(file, Path.Combine(root, "plain"), sizes);
                    plainRuns.Add(seconds);
                    plainCpu.Add(cpu);
                    Directory.Delete(Path.Combine(root, "plain"), recursive: true);
                }

                Directory.Delete(input, recursive: true);
                double engine = Throughput.MedianOf(engineRuns);
                double plain = Throughput.MedianOf(plainRuns);
                long bytes = bf16.LongLength + sizes.Sum();
                measurements.Add(new(
                    Invariant($"read {bf16.LongLength / 1e6:F0} MB (16 MiB read calls) + write {sizes.Sum() / 1e6:F0} MB + fsync ")
                        + Invariant($"({plain:F2} s, CPU {Throughput.MedianOf(plainCpu):F2} s; runs {Seconds(plainRuns)})"),
                    1, bytes, Throughput.Of(bytes, plainRuns), 1.0));
                measurements.Add(new(
                    Invariant($"checkpoint encode BF16 [{string.Join(", ", shape)}] → MXFP4 + fsync, -Layout {layout} ")
                        + Invariant($"({engine:F2} s, CPU {Throughput.MedianOf(engineCpu):F2} s; runs {Seconds(engineRuns)})"),
                    threads, bytes, Throughput.Of(bytes, engineRuns), plain / engine, null, check));
                targets.Add(new(
                    Invariant($"checkpoint encode -Layout {layout} ≤ {TimeLimitRatio}× read + write (shown: plain ÷ encode time)"),
                    plain / engine, 1 / TimeLimitRatio));
            }
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    /// <summary>
    /// The encoded checkpoint's blocks and scales against the reference encoder on sampled blocks: block (e, r, g) holds
    /// elements g·32.. of row r of expert e, read along the last axis (Natural) or down the input axis (Transformers).
    /// </summary>
    private static unsafe string Check(byte[] bf16, string output, ConversionLayout layout, long rows, long columns)
    {
        using var file = SafetensorsFile.Open(Directory.EnumerateFiles(output, "*.safetensors").Single());
        var blocks = file.Header.Find(TensorName + "_blocks") ?? throw new InvalidOperationException("No blocks were written.");
        var scales = file.Header.Find(TensorName + "_scales") ?? throw new InvalidOperationException("No scales were written.");
        long groups = columns / Mxfp4Format.BlockElements;
        Func<long, int, long> elementOf = layout == ConversionLayout.Natural
            ? (b, k) => (b * Mxfp4Format.BlockElements) + k
            : (b, k) => ((((b / (rows * groups)) * columns) + (b % groups * Mxfp4Format.BlockElements) + k) * rows) + (b / groups % rows);
        fixed (byte* blockBytes = file.Map.GetSpan(blocks.DataOffset, checked((int)blocks.ByteLength)))
        fixed (byte* scaleBytes = file.Map.GetSpan(scales.DataOffset, checked((int)scales.ByteLength)))
        {
            return ReferenceCheck.Encoded(bf16, SafetensorsDType.BF16, scales.ByteLength, elementOf, blockBytes, scaleBytes, ScaleRule.Up);
        }
    }

    private static string WriteInput(string directory, byte[] bf16, long[] shape)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "model.safetensors");
        var layout = SafetensorsLayout.Create([new TensorSpec(TensorName, SafetensorsDType.BF16, shape)],
            new Dictionary<string, string> { ["format"] = "pt" });
        SafetensorsWriter.WriteFile(path, layout, (_, stream) => stream.Write(bf16));
        PlainFiles.Sync();
        return path;
    }

    private static (List<long> Sizes, double Seconds, double CpuSeconds) Encode(string input, string destination, ConversionLayout layout,
        int threads)
    {
        using var checkpoint = Checkpoint.Open(input);
        var plan = QuantizationPlan.Create(checkpoint, destination, new ConversionOptions { Layout = layout, Threads = threads },
            new QuantizationOptions());
        PlainFiles.Sync();
        var cpu = CpuTime();
        long start = Stopwatch.GetTimestamp();
        var result = CheckpointConverter.Execute(checkpoint, plan);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return (result.WrittenFiles.Select(f => new FileInfo(f).Length).ToList(), seconds, (CpuTime() - cpu).TotalSeconds);
    }

    /// <summary>Reads the whole input with read calls of the engine's chunk size; returns a checksum so nothing is skipped.</summary>
    private static long ReadInput(string path)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(ChunkBytes);
        using var handle = File.OpenHandle(path);
        long sum = 0;
        for (long offset = 0; ;)
        {
            int read = RandomAccess.Read(handle, buffer, offset);
            if (read == 0)
            {
                return sum;
            }

            sum += buffer[read - 1];
            offset += read;
        }
    }

    /// <summary>The bound: the input read as the engine reads it, then output files of the same sizes written and flushed to
    /// disk.</summary>
    private static (double Seconds, double CpuSeconds) ReadAndWrite(string input, string directory, List<long> sizes)
    {
        Directory.CreateDirectory(directory);
        var buffer = PlainFiles.Chunk(ChunkBytes);
        PlainFiles.Sync();
        var cpu = CpuTime();
        long start = Stopwatch.GetTimestamp();
        _ = ReadInput(input);
        PlainFiles.Write(directory, sizes, buffer);

        return (Stopwatch.GetElapsedTime(start).TotalSeconds, (CpuTime() - cpu).TotalSeconds);
    }

    /// <summary>The process's CPU time (user + system, all threads): beside the wall time it shows what the machine's load
    /// took.</summary>
    private static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private static string Seconds(List<double> seconds) => string.Join(" ", seconds.Select(s => Invariant($"{s:F2}")));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

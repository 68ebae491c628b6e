using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Mxfp4.Core.Threading;

namespace Mxfp4.Bench.Limits;

/// <summary>
/// Timing and the reference memory operations the report compares against. Every timed operation runs exactly
/// <see cref="Repetitions"/> times (at least 5) after one untimed run, and the report gives the MEDIAN with the
/// min–max: robust to one slow outlier from the other processes sharing the machine, and honest about the spread.
/// </summary>
internal sealed unsafe class Bandwidth(int repetitions)
{
    private static readonly delegate* unmanaged<void*, int, nuint, void*> GlibcMemset = LoadMemset();

    public int Repetitions { get; } = repetitions;

    /// <summary>Throughput of <paramref name="run"/> for <paramref name="bytes"/> per run (one warm-up run first).</summary>
    public Throughput Measure(long bytes, Action run)
    {
        run();
        var seconds = new double[Repetitions];
        for (int i = 0; i < seconds.Length; i++)
        {
            seconds[i] = Time(run);
        }

        return Throughput.Of(bytes, seconds);
    }

    /// <summary>
    /// Throughputs of <paramref name="baseline"/> and <paramref name="run"/>, each <paramref name="bytes"/> per run, timed
    /// in alternation (one warm-up of each first), so both sides of a ratio see the same state of a shared machine: its
    /// memory bandwidth was seen to switch between two levels from one minute to the next.
    /// </summary>
    public (Throughput Baseline, Throughput Run) MeasureAlternating(long bytes, Action baseline, Action run)
    {
        baseline();
        run();
        var baselineSeconds = new double[Repetitions];
        var runSeconds = new double[Repetitions];
        for (int i = 0; i < Repetitions; i++)
        {
            baselineSeconds[i] = Time(baseline);
            runSeconds[i] = Time(run);
        }

        return (Throughput.Of(bytes, baselineSeconds), Throughput.Of(bytes, runSeconds));
    }

    private static double Time(Action run)
    {
        long start = Stopwatch.GetTimestamp();
        run();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>Whether glibc's memset was found (Linux); elsewhere <see cref="Memset"/> falls back to NativeMemory.Fill.</summary>
    public static bool HasGlibcMemset => GlibcMemset != null;

    /// <summary>glibc memset of [pointer, +length) on <paramref name="threads"/> pool workers, parts on multiples of <paramref
    /// name="unitBytes"/>.</summary>
    public static void Memset(byte* pointer, long length, int threads, long unitBytes)
        => Split(length, threads, unitBytes, (start, end) =>
        {
            if (GlibcMemset != null)
            {
                GlibcMemset(pointer + start, 0x3C, (nuint)(end - start));
            }
            else
            {
                NativeMemory.Fill(pointer + start, (nuint)(end - start), 0x3C);
            }
        });

    /// <summary>.NET's NativeMemory.Fill of the same parts, for comparison with glibc memset.</summary>
    public static void Fill(byte* pointer, long length, int threads, long unitBytes)
        => Split(length, threads, unitBytes, (start, end) => NativeMemory.Fill(pointer + start, (nuint)(end - start), 0x3C));

    /// <summary>A vectorized sum of [pointer, +length) as 64-bit words on <paramref name="threads"/> workers: pure read
    /// bandwidth.</summary>
    public static ulong Sum(byte* pointer, long length, int threads)
    {
        var partials = new ulong[threads];
        WorkerPool.Shared.Run(threads, part =>
        {
            var (start, end) = Partition.Range(length / sizeof(ulong), threads, part, 8);
            ulong sum = 0;
            for (long at = start; at < end; at += int.MaxValue / 2)
            {
                int words = (int)Math.Min(end - at, int.MaxValue / 2);
                sum += TensorPrimitives.Sum(new ReadOnlySpan<ulong>((ulong*)pointer + at, words));
            }

            partials[part] = sum;
        });

        ulong total = 0;
        foreach (ulong partial in partials)
        {
            total += partial;
        }

        return total;
    }

    private static void Split(long length, int threads, long unitBytes, Action<long, long> part)
    {
        if (threads == 1)
        {
            part(0, length);
            return;
        }

        WorkerPool.Shared.Run(threads, worker =>
        {
            var (start, end) = Partition.Range(length, threads, worker, unitBytes);
            part(start, end);
        });
    }

    private static delegate* unmanaged<void*, int, nuint, void*> LoadMemset()
        => OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libc.so.6", out nint libc)
            && NativeLibrary.TryGetExport(libc, "memset", out nint memset)
            ? (delegate* unmanaged<void*, int, nuint, void*>)memset
            : null;
}

/// <summary>A timed row: median, slowest and fastest throughput in GB/s (10^9 bytes/s), and the median time.</summary>
internal readonly record struct Throughput(double Median, double Min, double Max, double MedianSeconds)
{
    /// <summary>The throughput of runs of <paramref name="bytes"/> that took <paramref name="seconds"/> each.</summary>
    public static Throughput Of(long bytes, IReadOnlyCollection<double> seconds)
    {
        double median = MedianOf(seconds);
        return new Throughput(bytes / median / 1e9, bytes / seconds.Max() / 1e9, bytes / seconds.Min() / 1e9, median);
    }

    public static double MedianOf(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

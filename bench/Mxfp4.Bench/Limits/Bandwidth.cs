using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Numerics.Tensors;
using Mxfp4.Core.Threading;

namespace Mxfp4.Bench.Limits;

/// <summary>
/// Timing and the reference memory operations the report compares against. Every timed operation runs
/// <see cref="Repetitions"/> times (fewer once a row has used its time budget, but at least twice) and the
/// MEDIAN is reported: robust to one slow outlier from the other processes sharing the machine.
/// </summary>
internal sealed class Bandwidth(int repetitions, TimeSpan budgetPerRow)
{
    private const int MinimumRuns = 2;

    public int Repetitions { get; } = repetitions;

    /// <summary>Median throughput of <paramref name="run"/> in GB/s (10^9 bytes per second) for <paramref name="bytes"/> per run.</summary>
    public double Measure(long bytes, Action run)
    {
        var seconds = new List<double>();
        var total = Stopwatch.StartNew();
        while (seconds.Count < Repetitions && (seconds.Count < MinimumRuns || total.Elapsed < budgetPerRow))
        {
            long start = Stopwatch.GetTimestamp();
            run();
            seconds.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        seconds.Sort();
        double median = seconds.Count % 2 == 1
            ? seconds[seconds.Count / 2]
            : (seconds[(seconds.Count / 2) - 1] + seconds[seconds.Count / 2]) / 2;
        return bytes / median / 1e9;
    }

    /// <summary>memset of [pointer, +length) on <paramref name="threads"/> pool workers, parts on multiples of <paramref name="unitBytes"/>.</summary>
    public static unsafe void Fill(byte* pointer, long length, int threads, long unitBytes)
    {
        if (threads == 1)
        {
            NativeMemory.Fill(pointer, (nuint)length, 0x3C);
            return;
        }

        WorkerPool.Shared.Run(threads, part =>
        {
            var (start, end) = Partition.Range(length, threads, part, unitBytes);
            NativeMemory.Fill(pointer + start, (nuint)(end - start), 0x3C);
        });
    }

    /// <summary>A vectorized sum of [pointer, +length) as 64-bit words on <paramref name="threads"/> workers: pure read bandwidth.</summary>
    public static unsafe ulong Sum(byte* pointer, long length, int threads)
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
}

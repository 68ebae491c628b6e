using System.Globalization;

namespace Mxfp4.Bench.Limits;

/// <summary>
/// Samples this process's RssAnon (resident anonymous memory: heap, stacks, GC; not the mapped input files nor the
/// page cache) from /proc/self/status every 20 ms on its own thread and keeps the maximum. Linux only; elsewhere
/// <see cref="IsSupported"/> is false and the peak stays 0.
/// </summary>
internal sealed class AnonymousMemorySampler : IDisposable
{
    private const string StatusPath = "/proc/self/status";
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stop = new();
    private long _peakBytes;

    public AnonymousMemorySampler()
    {
        _peakBytes = Current();
        _thread = new Thread(Sample) { IsBackground = true, Name = "RssAnon sampler" };
        _thread.Start();
    }

    public static bool IsSupported => File.Exists(StatusPath);

    /// <summary>The largest RssAnon seen since construction, in bytes.</summary>
    public long PeakBytes => Interlocked.Read(ref _peakBytes);

    /// <summary>RssAnon now, in bytes (0 where /proc is missing).</summary>
    public static long Current()
    {
        if (!IsSupported)
        {
            return 0;
        }

        foreach (var line in File.ReadLines(StatusPath))
        {
            if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
            {
                var kilobytes = line["RssAnon:".Length..].Trim().Split(' ')[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    public void Dispose()
    {
        _stop.Set();
        _thread.Join();
        _stop.Dispose();
    }

    private void Sample()
    {
        while (!_stop.Wait(Interval))
        {
            long now = Current();
            if (now > Interlocked.Read(ref _peakBytes))
            {
                Interlocked.Exchange(ref _peakBytes, now);
            }
        }
    }
}

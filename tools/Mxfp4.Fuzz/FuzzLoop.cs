using System.Diagnostics;

namespace Mxfp4.Fuzz;

/// <summary>The fuzzer's core: the truncation sweep, then generated inputs until the count or the time runs out.</summary>
public static class FuzzLoop
{
    /// <summary>Base inputs whose every truncation is tried first.</summary>
    public const int SweepBases = 4;

    /// <summary>Stops after the first <paramref name="maxFailures"/> failures, which are usually the same bug.</summary>
    public static FuzzReport Run(int seed, long count, TimeSpan duration, int maxFailures = 20)
    {
        var report = new FuzzReport();
        var watch = Stopwatch.StartNew();
        bool Done() => report.Count >= count || watch.Elapsed >= duration || report.Failures.Count >= maxFailures;

        foreach (var input in TruncationSweep.Cases(seed, SweepBases))
        {
            if (Done())
            {
                break;
            }

            report.Add(input, CaseRunner.Run(input));
        }

        for (long i = 0; !Done(); i++)
        {
            var input = CaseGenerator.Generate(seed, i);
            report.Add(input, CaseRunner.Run(input));
        }

        report.Elapsed = watch.Elapsed;
        return report;
    }
}

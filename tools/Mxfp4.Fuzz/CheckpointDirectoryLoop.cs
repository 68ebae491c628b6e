using System.Diagnostics;

namespace Mxfp4.Fuzz;

/// <summary>Generated checkpoint directories, each in a fresh temporary directory, until the count or the time runs out.</summary>
public static class CheckpointDirectoryLoop
{
    public static FuzzReport Run(int seed, long count, TimeSpan duration, int maxFailures = 20)
    {
        var report = new FuzzReport();
        var watch = Stopwatch.StartNew();
        string parent = Path.Combine(Path.GetTempPath(), "mxfp4-fuzz-" + Guid.NewGuid().ToString("N"));
        try
        {
            for (long i = 0; i < count && watch.Elapsed < duration && report.Failures.Count < maxFailures; i++)
            {
                string root = Path.Combine(parent, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                var outcome = CheckpointDirectoryRunner.Run(root, seed, i);
                report.Add(new FuzzCase(FuzzTarget.Directory, [], i, $"seed {seed} case {i}"), outcome);
                Directory.Delete(root, recursive: true);
            }
        }
        finally
        {
            if (Directory.Exists(parent))
            {
                Directory.Delete(parent, recursive: true);
            }
        }

        report.Elapsed = watch.Elapsed;
        return report;
    }
}

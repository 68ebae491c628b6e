using Mxfp4.Fuzz;
using Xunit;

namespace Mxfp4.Core.Tests.Fuzz;

public sealed class CheckpointDirectoryFuzzTests
{
    [Fact]
    public void Fixed_seed_run_over_generated_directories_finds_no_failure_and_reaches_conversion_and_refusals()
    {
        var report = CheckpointDirectoryLoop.Run(seed: 20261129, count: 80, duration: TimeSpan.FromSeconds(30));

        string failures = string.Join(Environment.NewLine, report.Failures.Select(f => $"[{f.Input.Mutation}] {f.Outcome.Failure}"));
        Assert.True(report.Failures.Count == 0, failures);

        // Not vacuous: conversions that run to the end as well as refusals by resolution, pairing and planning.
        Assert.True(report.Count >= 40, $"only {report.Count} directories ran");
        foreach (string label in new[]
        {
            "Directory.Converted",
            "Directory.ShardOutsideCheckpoint",
            "Directory.Mxfp4ShapeMismatch",
            "Directory.OutputExists",
            "Directory.OutputNameCollision",
        })
        {
            Assert.True(report.Histogram.GetValueOrDefault(label) > 0, $"no directory ended as {label}:{Environment.NewLine}{report}");
        }
    }

    [Fact]
    public void Generated_directories_depend_only_on_seed_and_case()
    {
        string root = Path.Combine(Path.GetTempPath(), "mxfp4-fuzz-" + Guid.NewGuid().ToString("N"));
        try
        {
            string first = CheckpointDirectoryGenerator.Generate(Path.Combine(root, "a"), 7, 42);
            string again = CheckpointDirectoryGenerator.Generate(Path.Combine(root, "b"), 7, 42);
            Assert.Equal(first, again);
            Assert.Equal(
                Directory.EnumerateFileSystemEntries(Path.Combine(root, "a"), "*", SearchOption.AllDirectories)
                    .Select(p => Path.GetRelativePath(Path.Combine(root, "a"), p))
                    .Order(),
                Directory.EnumerateFileSystemEntries(Path.Combine(root, "b"), "*", SearchOption.AllDirectories)
                    .Select(p => Path.GetRelativePath(Path.Combine(root, "b"), p))
                    .Order());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}

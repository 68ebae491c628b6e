using Mxfp4.Fuzz;
using Xunit;

namespace Mxfp4.Core.Tests.Fuzz;

public sealed class FuzzLoopTests
{
    [Fact]
    public void Fixed_seed_run_finds_no_failure_and_reaches_every_stage_of_the_parser()
    {
        var report = FuzzLoop.Run(seed: 20261123, count: 20_000, duration: TimeSpan.FromSeconds(15));

        string failures = string.Join(Environment.NewLine, report.Failures.Select(f => $"[{f.Input.Mutation}] {f.Outcome.Failure}"));
        Assert.True(report.Failures.Count == 0, failures);

        // A generator that only produced syntax errors would pass vacuously: the run must get inputs accepted and
        // rejected by rules checked late (layout, sizes, file length) as well as early ones.
        Assert.True(report.Count >= 2_000, $"only {report.Count} inputs ran");
        foreach (
            string label in new[] { "Accepted", "InvalidJson", "DuplicateKey", "InvalidNumber", "InvalidOffsets", "SizeMismatch",
            CaseRunner.IndexAccepted, CaseRunner.IndexRejected })
        {
            Assert.True(report.Histogram.GetValueOrDefault(label) > 0, $"no input ended as {label}:{Environment.NewLine}{report}");
        }
    }

    [Fact]
    public void Generated_inputs_depend_only_on_seed_and_index()
    {
        var first = CaseGenerator.Generate(7, 12_345);
        var again = CaseGenerator.Generate(7, 12_345);
        var other = CaseGenerator.Generate(8, 12_345);

        Assert.Equal(first.Bytes, again.Bytes);
        Assert.Equal(first.FileLength, again.FileLength);
        Assert.NotEqual(first.Bytes, other.Bytes);
    }

    [Fact]
    public void Runner_flags_an_accepted_header_whose_layout_breaks_an_invariant()
    {
        // The checker must be able to fail: feed it a header validated against one file length and check it against another.
        var (json, fileLength) = ScalingHeaders.Build(3);
        var header = global::Mxfp4.Core.Safetensors.SafetensorsHeader.Parse(json, fileLength, "/x.safetensors");

        Assert.Null(HeaderInvariants.Check(header, json, fileLength));
        Assert.NotNull(HeaderInvariants.Check(header, json, fileLength + 1));
        Assert.NotNull(HeaderInvariants.Check(header, json.AsSpan(0, json.Length - 1), fileLength));
    }
}

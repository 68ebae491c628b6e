using Mxfp4.Fuzz;
using Xunit;

namespace Mxfp4.Core.Tests.Fuzz;

/// <summary>Every input under Fuzz/Regressions ends as its <c>.expected</c> file says, without a failure.</summary>
public sealed class RegressionReplayTests
{
    private static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "Fuzz", "Regressions");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (string file in System.IO.Directory.GetFiles(Directory, "*.bin").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Fact]
    public void Regression_folder_holds_inputs()
    {
        Assert.True(Files().Count >= 5);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Regression_input_has_its_expected_outcome(string file)
    {
        var (input, expected) = RegressionStore.Load(Path.Combine(Directory, file));

        var outcome = CaseRunner.Run(input);

        Assert.Null(outcome.Failure);
        if (expected != RegressionStore.AnyOutcome)
        {
            Assert.Equal(expected, outcome.Label);
        }
    }
}

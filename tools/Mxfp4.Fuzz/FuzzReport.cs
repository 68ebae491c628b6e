using System.Globalization;
using System.Text;

namespace Mxfp4.Fuzz;

/// <summary>Counts and failures of a fuzz run.</summary>
public sealed class FuzzReport
{
    public long Count { get; set; }

    public TimeSpan Elapsed { get; set; }

    public SortedDictionary<string, long> Histogram { get; } = new(StringComparer.Ordinal);

    public List<(FuzzCase Input, FuzzOutcome Outcome)> Failures { get; } = [];

    public double Rate => Elapsed.TotalSeconds > 0 ? Count / Elapsed.TotalSeconds : 0;

    public void Add(FuzzCase input, FuzzOutcome outcome)
    {
        Count++;
        Histogram[outcome.Label] = Histogram.GetValueOrDefault(outcome.Label) + 1;
        if (outcome.Failed)
        {
            Failures.Add((input, outcome));
        }
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"inputs:   {Count:N0} in {Elapsed.TotalSeconds:F1} s ({Rate:N0}/s)");
        text.AppendLine("outcomes:");
        foreach (var (label, count) in Histogram)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {label,-30} {count,12:N0}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"failures: {Failures.Count}");
        return text.ToString();
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Mxfp4.Core.Mxfp4;

namespace Mxfp4.Bench.Limits;

/// <summary>
/// The limit-ratio report: every section measured in this one process on one generated workload, printed as
/// markdown (a table per section, then the targets with PASS/MISS).
/// </summary>
internal sealed class LimitsReport(bool quick)
{
    /// <summary>Full run: the 32 experts of gpt-oss-20b's gate_up_proj (265 MB of blocks); quick: 2 experts.</summary>
    private readonly int _experts = quick ? 2 : 32;
    private readonly Bandwidth _bandwidth = new(quick ? 3 : 5, TimeSpan.FromSeconds(quick ? 2 : 20));

    /// <summary>The report's sections, in print order; add new ones here.</summary>
    public static IReadOnlyList<ILimitsSection> Sections { get; } =
    [
        new DequantizationSection(),
        new MatVecSection(),
        new ConversionSection(),
        new HashSection(),
    ];

    public void Run(TextWriter output)
    {
        var setup = Stopwatch.StartNew();
        var workload = new LimitsWorkload(_experts);
        output.WriteLine("# Mxfp4 limits report");
        output.WriteLine();
        output.WriteLine(Invariant($"- workload: {workload.Shape} = {workload.Blocks.LongLength / 1e6:F0} MB of MXFP4, {workload.ElementCount:N0} elements (generated in {setup.Elapsed.TotalSeconds:F1} s)"));
        output.WriteLine(Invariant($"- machine: {Environment.ProcessorCount} CPUs, {RuntimeInformation.ProcessArchitecture}, {RuntimeInformation.FrameworkDescription}, kernel path {Mxfp4Kernels.ActivePath}; all threads = {workload.Threads}"));
        output.WriteLine(Invariant($"- each figure is the MEDIAN of up to {_bandwidth.Repetitions} timed runs (at least 2; fewer than {_bandwidth.Repetitions} only when a row exceeds its time budget); GB/s = 10^9 bytes/s"));

        var targets = new List<LimitsTarget>();
        foreach (var section in Sections)
        {
            var result = section.Run(workload, _bandwidth);
            output.WriteLine();
            output.WriteLine($"## {section.Title}");
            output.WriteLine();
            output.WriteLine(section.Baseline);
            output.WriteLine();
            var table = new MarkdownTable("operation", "threads", "bytes", "GB/s", "ratio");
            foreach (var row in result.Measurements)
            {
                table.Add(row.Operation, Invariant($"{row.Threads}"), Invariant($"{row.Bytes:N0}"), Invariant($"{row.GigabytesPerSecond:F2}"), row.RatioToBaseline is { } ratio ? Invariant($"{ratio:F3}") : "—");
            }

            table.Write(output);
            targets.AddRange(result.Targets);
        }

        output.WriteLine();
        output.WriteLine("## Targets");
        output.WriteLine();
        var targetTable = new MarkdownTable("target", "measured", "required", "result");
        foreach (var target in targets)
        {
            targetTable.Add(target.Description, Invariant($"{target.Actual:F3}"), Invariant($"{target.Required:F2}"), target.Passed ? "PASS" : "MISS");
        }

        targetTable.Write(output);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

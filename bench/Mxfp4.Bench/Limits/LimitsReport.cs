using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Mxfp4.Core.Formats;

namespace Mxfp4.Bench.Limits;

/// <summary>
/// The limit-ratio report: every section measured in this one process on one generated workload, printed as
/// markdown (a table per section, then the targets with PASS/MISS).
/// </summary>
internal sealed class LimitsReport(bool quick, string? only = null)
{
    /// <summary>Full run: the 32 experts of gpt-oss-20b's gate_up_proj (265 MB of blocks); quick: the fewest experts that still
    /// hold 4× the last-level cache.</summary>
    private readonly int _experts = quick ? LimitsWorkload.ExpertsOutOfCache : 32;
    private readonly Bandwidth _bandwidth = new(5);

    /// <summary>The report's sections, in print order; add new ones here.</summary>
    public static IReadOnlyList<ILimitsSection> Sections { get; } =
    [
        new DequantizationSection(),
        new MatVecSection(),
        new ConversionSection(),
        new EncodeSection(),
        new HashSection(),
    ];

    public void Run(TextWriter output)
    {
        var setup = Stopwatch.StartNew();
        var workload = new LimitsWorkload(_experts);
        output.WriteLine("# Mxfp4 limits report");
        output.WriteLine();
        output.WriteLine(
            Invariant(
                $"- workload: {workload.Shape} = {workload.Blocks.LongLength / 1e6:F0} MB of MXFP4, {workload.ElementCount:N0} elements ")
                + Invariant($"(generated in {setup.Elapsed.TotalSeconds:F1} s)"));
        output.WriteLine(
            Invariant($"- machine: {Environment.ProcessorCount} CPUs, {RuntimeInformation.ProcessArchitecture}, ")
                + Invariant(
                    $"{RuntimeInformation.FrameworkDescription}, kernel path {Mxfp4Kernels.ActivePath}; all threads = {workload.Threads}"));
        output.WriteLine(
            Invariant($"- last-level cache {LimitsWorkload.LastLevelCacheBytes >> 20} MiB; the workload's blocks are ")
                + Invariant(
                    $"{workload.Blocks.LongLength / (double)LimitsWorkload.LastLevelCacheBytes:F1}× that, so every \"out of cache\" row ")
                    + "streams from memory");
        output.WriteLine(
            Invariant($"- each figure is the MEDIAN of {_bandwidth.Repetitions} timed runs after one untimed run, with the ")
                + "min–max; GB/s = 10^9 bytes/s");
        output.WriteLine(
            "- tiered compilation: "
                + Invariant($"{(AppContext.TryGetSwitch("System.Runtime.TieredCompilation", out bool tiered)
                    ? (tiered ? "on" : "off (the bench csproj sets TieredCompilation=false: every method is jitted fully optimised "
                        + "on first call, so no row times tier-0 code)")
                    : "default (on)")}"));
        output.WriteLine(
            "- memset baseline: "
                + Invariant(
                    $"{(Bandwidth.HasGlibcMemset ? "glibc memset (libc.so.6, P/Invoke)" : "NativeMemory.Fill (glibc not found)")}; ggml ")
                    + Invariant($"peer: {(Peer.GgmlLibrary.Instance is { } library ? library.Directory : Peer.GgmlLibrary.LoadError)}"));
        output.WriteLine(Invariant($"- load average at start: {LoadAverage()}"));

        var targets = new List<LimitsTarget>();
        foreach (var section in Sections.Where(s => only is null || s.Title.Contains(only, StringComparison.OrdinalIgnoreCase)))
        {
            var result = section.Run(workload, _bandwidth);
            output.WriteLine();
            output.WriteLine($"## {section.Title}");
            output.WriteLine();
            output.WriteLine(section.Baseline);
            output.WriteLine();
            var table = new MarkdownTable("operation", "threads", "bytes", "GB/s median (min–max)", "ours/limit", "ours/ggml",
                "checked against the reference");
            foreach (var row in result.Measurements)
            {
                table.Add(
                    row.Operation,
                    Invariant($"{row.Threads}"),
                    Invariant($"{row.Bytes:N0}"),
                    Invariant($"{row.Speed.Median:F2} ({row.Speed.Min:F2}–{row.Speed.Max:F2})"),
                    row.RatioToLimit is { } limit ? Invariant($"{limit:F3}") : "—",
                    row.RatioToGgml is { } ggml ? Invariant($"{ggml:F3}") : "—",
                    row.Check);
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
            targetTable.Add(target.Description, Invariant($"{target.Actual:F3}"), Invariant($"{target.Required:F2}"), target.Passed ? "PASS"
                : "MISS");
        }

        targetTable.Write(output);
        output.WriteLine();
        output.WriteLine(Invariant($"- load average at end: {LoadAverage()}; total {setup.Elapsed.TotalSeconds:F0} s"));
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg")
        ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

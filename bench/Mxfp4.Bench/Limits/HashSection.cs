using System.Diagnostics;
using System.Globalization;
using Mxfp4.Core.Verification;

namespace Mxfp4.Bench.Limits;

/// <summary>
/// SHA-256 of shard files (Test-SafetensorsCheckpoint -Hash) against <c>sha256sum</c> on the same files: one file at
/// a time on one thread (<c>sha256sum a b</c> against <see cref="ShardHasher"/> with one thread), and one file per
/// thread (one <c>sha256sum</c> process per file at once against the hasher's parallel mode). The files are written
/// once and read once before timing, so both sides read from the page cache and the hash rate is what is compared.
/// Medians of five timed runs after an untimed one, with min–max, as every row of the report; the files are deleted at
/// the end. Without <c>sha256sum</c> on the PATH only the hasher is timed.
/// </summary>
internal sealed class HashSection : ILimitsSection
{
    private const double RequiredRatio = 0.9;

    public string Title => "SHA-256 of shards vs sha256sum";

    public string Baseline =>
        "ratio = ShardHasher throughput / sha256sum's on the same page-cached files (one thread: sequential; N threads: one file each)";

    public LimitsSectionResult Run(LimitsWorkload workload, Bandwidth bandwidth)
    {
        string root = Path.Combine(Path.GetTempPath(), "mxfp4-bench-hash-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            int threads = Math.Max(1, workload.Threads);
            long fileBytes = (long)workload.Experts << 24;
            var files = Enumerable.Range(0, threads)
                .Select(i => WriteFile(Path.Combine(root, $"shard-{i}.safetensors"), fileBytes, i))
                .ToArray();
            long total = fileBytes * files.Length;
            var expected = ShardHasher.Hash(files, threads, null, CancellationToken.None);

            var hasherOne = bandwidth.Measure(total, () => ShardHasher.Hash(files, 1, null, CancellationToken.None));
            var hasherAll = bandwidth.Measure(total, () => ShardHasher.Hash(files, threads, null, CancellationToken.None));
            var rows = new List<LimitsMeasurement>
            {
                new(Invariant($"ShardHasher, {files.Length} files of {fileBytes >> 20} MiB, one after another"), 1, total, hasherOne),
                new(Invariant($"ShardHasher, one file per thread"), threads, total, hasherAll),
            };
            var targets = new List<LimitsTarget>();
            if (FindOnPath("sha256sum") is { } tool)
            {
                CheckAgrees(tool, files, expected);
                var toolOne = bandwidth.Measure(total, () => RunTool(tool, files));
                var toolAll = bandwidth.Measure(total, () => Task.WaitAll(files.Select(f => Task.Run(() => RunTool(tool, [f]))).ToArray()));
                rows.Insert(0, new(Invariant($"sha256sum {string.Join(' ', files.Select(Path.GetFileName))}"), 1, total, toolOne, 1.0));
                rows.Insert(2, new(Invariant($"sha256sum, one process per file at once"), threads, total, toolAll, 1.0));
                rows[1] = rows[1] with { RatioToLimit = hasherOne.Median / toolOne.Median };
                rows[3] = rows[3] with { RatioToLimit = hasherAll.Median / toolAll.Median };
                targets.Add(new(
                    Invariant($"hashing ≥ {RequiredRatio}× sha256sum, one thread"),
                    hasherOne.Median / toolOne.Median,
                    RequiredRatio));
                targets.Add(new(
                    Invariant($"hashing ≥ {RequiredRatio}× sha256sum, {threads} threads"),
                    hasherAll.Median / toolAll.Median,
                    RequiredRatio));
            }

            return new LimitsSectionResult(rows, targets);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string WriteFile(string path, long bytes, int seed)
    {
        var buffer = new byte[1 << 20];
        new Random(seed).NextBytes(buffer);
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0))
        {
            for (long done = 0; done < bytes; done += buffer.Length)
            {
                stream.Write(buffer, 0, (int)Math.Min(buffer.Length, bytes - done));
            }
        }

        return path;
    }

    private static string RunTool(string tool, IEnumerable<string> files)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var file in files)
        {
            start.ArgumentList.Add(file);
        }

        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{tool} exited with {process.ExitCode}.");
    }

    /// <summary>Both sides must compute the same hashes, or the timing compares different work.</summary>
    private static void CheckAgrees(string tool, string[] files, IReadOnlyDictionary<string, ShardHasher.Result> expected)
    {
        foreach (var line in RunTool(tool, files).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string file = line[66..];
            if (expected[file].Sha256 != line[..64])
            {
                throw new InvalidOperationException($"sha256sum and ShardHasher disagree on '{file}'.");
            }
        }
    }

    private static string? FindOnPath(string name) => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(d => Path.Combine(d, name))
        .FirstOrDefault(File.Exists);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

using System.Diagnostics;
using System.Security.Cryptography;
using Mxfp4.Core;
using Mxfp4.Core.Conversion;
using Mxfp4.Core.FileSystem;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;

namespace Mxfp4.Fuzz;

/// <summary>
/// Opens a generated checkpoint directory, pairs its tensors, plans a conversion and runs it, then judges: only the
/// engine's own exceptions (Mxfp4Exception and its kinds) may come out; nothing outside the destination may change;
/// no temporary file may remain; a conversion that succeeded wrote exactly the planned files, each a valid shard;
/// one that failed left the destination as it was.
/// </summary>
public static class CheckpointDirectoryRunner
{
    private static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(5);

    public static FuzzOutcome Run(string root, int seed, long index)
    {
        string description = CheckpointDirectoryGenerator.Generate(root, seed, index);
        // A stream of its own, so the destination does not shift when the generator draws more or fewer numbers.
        var random = new Random(~CaseGenerator.Mix(seed, index));
        string destination = Path.Combine(root, "dst");
        if (random.Next(3) == 0)
        {
            Directory.CreateDirectory(destination);
            File.WriteAllText(Path.Combine(destination, "keep.txt"), "mine");
        }

        var options = new ConversionOptions
        {
            Force = random.Next(2) == 0,
            Layout = random.Next(3) == 0 ? ConversionLayout.Transformers : ConversionLayout.Natural,
            SafetensorsOnly = random.Next(4) == 0,
            ChunkBytes = 4096,
            Threads = 1,
        };
        var outsideBefore = Snapshot(root, destination);
        var destinationBefore = Snapshot(destination, null);
        var watch = Stopwatch.StartNew();
        string label;
        List<string>? written = null;
        try
        {
            using var checkpoint = Checkpoint.Open(Path.Combine(root, "src"));
            foreach (var result in Mxfp4Pairing.Pair(checkpoint.Tensors))
            {
                _ = result.Tensor?.ElementCount;
            }

            var plan = ConversionPlan.Create(checkpoint, destination, options);
            written = [.. CheckpointConverter.Execute(checkpoint, plan).WrittenFiles];
            label = "Directory.Converted";
        }
        catch (Mxfp4Exception e)
        {
            label = "Directory." + e.ErrorId;
        }
#pragma warning disable CA1031 // any other exception is exactly what the fuzzer is looking for
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new FuzzOutcome("Crash",
                $"{description}: unexpected {e.GetType().FullName}: {e.Message}{Environment.NewLine}{e.StackTrace}");
        }

        string? failure = Check(root, destination, outsideBefore, destinationBefore, written);
        if (failure is null && watch.Elapsed > TimeLimit)
        {
            failure = $"took {watch.Elapsed.TotalMilliseconds:F0} ms";
        }

        return new FuzzOutcome(label, failure is null ? null : $"{description} ({label}, {options}): {failure}");
    }

    private static string? Check(string root, string destination, Dictionary<string, string> outsideBefore, Dictionary<string,
        string> destinationBefore, List<string>? written)
    {
        var outsideAfter = Snapshot(root, destination);
        foreach (var (path, hash) in outsideBefore)
        {
            if (!outsideAfter.TryGetValue(path, out var now) || now != hash)
            {
                return $"'{path}', outside the destination, was changed or removed";
            }
        }

        if (outsideAfter.Keys.Except(outsideBefore.Keys).FirstOrDefault() is { } added)
        {
            return $"'{added}' appeared outside the destination";
        }

        var partial = Directory.EnumerateFiles(root, "*" + TemporaryName.Suffix, SearchOption.AllDirectories)
            .FirstOrDefault(p => !p.StartsWith(Path.Combine(root, "src") + Path.DirectorySeparatorChar, StringComparison.Ordinal));
        if (partial is not null)
        {
            return $"the temporary file '{partial}' was left behind";
        }

        var destinationAfter = Snapshot(destination, null);
        if (written is null)
        {
            return destinationAfter.Count == destinationBefore.Count
                && destinationAfter.All(f => destinationBefore.GetValueOrDefault(f.Key) == f.Value)
                ? null
                : "a failed conversion changed the destination";
        }

        foreach (var file in written)
        {
            if (!file.StartsWith(destination + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(file))
            {
                return $"reported '{file}' as written, which is not a file in the destination";
            }

            if (file.EndsWith(".safetensors", StringComparison.Ordinal))
            {
                try
                {
                    _ = SafetensorsHeader.Read(file);
                }
                catch (SafetensorsFormatException e)
                {
                    return $"wrote '{file}', which is not a valid shard: {e.Message}";
                }
            }
        }

        return null;
    }

    /// <summary>Every regular file under <paramref name="directory"/> (links not followed) but <paramref name="excluded"/>:
    /// path → content hash.</summary>
    private static Dictionary<string, string> Snapshot(string directory, string? excluded)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(directory))
        {
            return files;
        }

        var pending = new Stack<string>([directory]);
        while (pending.Count > 0)
        {
            foreach (var entry in new DirectoryInfo(pending.Pop()).EnumerateFileSystemInfos())
            {
                if (entry.FullName == excluded || entry.LinkTarget is not null)
                {
                    continue;
                }

                if (entry is DirectoryInfo)
                {
                    pending.Push(entry.FullName);
                }
                else
                {
                    files[entry.FullName] = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(entry.FullName)));
                }
            }
        }

        return files;
    }
}

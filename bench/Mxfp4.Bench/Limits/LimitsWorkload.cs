using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Tensors;
using Mxfp4.Core.Threading;

namespace Mxfp4.Bench.Limits;

/// <summary>
/// The shared input of every section: one gpt-oss-20b-shaped expert tensor (gate_up_proj: blocks
/// [experts, 5760, 90, 16], scales [experts, 5760, 90]) generated in memory from a fixed seed. Block bytes are uniform
/// random; scales are realistic (110..130) with a few edge values (0, 1, 127, 254, 255) sprinkled in.
/// </summary>
internal sealed unsafe class LimitsWorkload
{
    public const int Rows = 5760;
    public const int GroupsPerRow = 90;

    private static readonly byte[] EdgeScales = [0, 1, 127, 254, 255];

    /// <summary>The last-level cache of CPU 0 (sysfs), or 32 MiB where that is not readable.</summary>
    public static long LastLevelCacheBytes { get; } = ReadLastLevelCache();

    /// <summary>The fewest experts whose blocks are at least 4× the last-level cache.</summary>
    public static int ExpertsOutOfCache => (int)Math.Max(2, ((4 * LastLevelCacheBytes) + ExpertBlockBytes - 1) / ExpertBlockBytes);

    private static long ExpertBlockBytes => (long)Rows * GroupsPerRow * Mxfp4Format.BlockBytes;

    public LimitsWorkload(int experts)
    {
        Experts = experts;
        long groups = (long)experts * Rows * GroupsPerRow;
        Blocks = GC.AllocateUninitializedArray<byte>(checked((int)(groups * Mxfp4Format.BlockBytes)), pinned: true);
        Scales = GC.AllocateUninitializedArray<byte>(checked((int)groups), pinned: true);
        var random = new Random(20250805);
        random.NextBytes(Blocks);
        for (int g = 0; g < Scales.Length; g++)
        {
            Scales[g] = (byte)random.Next(110, 131);
        }

        for (int i = 0; i < EdgeScales.Length * 4; i++)
        {
            Scales[random.Next(Scales.Length)] = EdgeScales[i % EdgeScales.Length];
        }

        Source = new Mxfp4TensorSource(Blocks, Scales);
        Threads = WorkerPool.Shared.ThreadCount;
    }

    public int Experts { get; }

    public byte[] Blocks { get; }

    public byte[] Scales { get; }

    /// <summary>Start of <see cref="Blocks"/>; valid for the process lifetime since the array lives on the pinned heap.</summary>
    public byte* BlocksPointer => (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Blocks));

    public TensorSource Source { get; }

    public long ElementCount => Source.ElementCount;

    /// <summary>"All threads": every worker of the shared pool.</summary>
    public int Threads { get; }

    /// <summary>Whether elements [first, +count) lie in blocks whose scale is below 253 (finite, float32-representable weights, where ggml
    /// and the spec agree).</summary>
    public bool OrdinaryScales(long firstGroup, long groups)
    {
        for (long g = firstGroup; g < firstGroup + groups; g++)
        {
            if (Scales[g] >= 253)
            {
                return false;
            }
        }

        return true;
    }

    public string Shape => $"blocks [{Experts}, {Rows}, {GroupsPerRow}, 16] + scales [{Experts}, {Rows}, {GroupsPerRow}]";

    private static long ReadLastLevelCache()
    {
        const long fallback = 32L << 20;
        string directory = "/sys/devices/system/cpu/cpu0/cache";
        if (!Directory.Exists(directory))
        {
            return fallback;
        }

        long largest = 0;
        foreach (var index in Directory.GetDirectories(directory, "index*"))
        {
            string sizeFile = Path.Combine(index, "size");
            if (!File.Exists(sizeFile))
            {
                continue;
            }

            string text = File.ReadAllText(sizeFile).Trim();
            long multiplier = text.EndsWith('K') ? 1024 : text.EndsWith('M') ? 1 << 20 : 1;
            if (long.TryParse(text.TrimEnd('K', 'M'), System.Globalization.CultureInfo.InvariantCulture, out long value))
            {
                largest = Math.Max(largest, value * multiplier);
            }
        }

        return largest > 0 ? largest : fallback;
    }
}

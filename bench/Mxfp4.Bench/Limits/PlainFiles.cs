using System.Diagnostics;

namespace Mxfp4.Bench.Limits;

/// <summary>The file-system side of the bounds a conversion is compared with: plain writes and a full writeback.</summary>
internal static class PlainFiles
{
    /// <summary>Random bytes to write, so no layer below can shortcut zeros.</summary>
    public static byte[] Chunk(int bytes)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(bytes);
        new Random(1).NextBytes(buffer);
        return buffer;
    }

    /// <summary>
    /// Writes files of <paramref name="sizes"/> into <paramref name="directory"/> as the converter's atomic files are
    /// written (preallocated, unbuffered, flushed to disk), repeating <paramref name="chunk"/>.
    /// </summary>
    public static void Write(string directory, IReadOnlyList<long> sizes, byte[] chunk)
    {
        for (int i = 0; i < sizes.Count; i++)
        {
            using var stream = new FileStream(Path.Combine(directory, $"plain-{i}.bin"), new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0,
                PreallocationSize = sizes[i],
            });
            for (long done = 0; done < sizes[i];)
            {
                int count = (int)Math.Min(chunk.Length, sizes[i] - done);
                stream.Write(chunk, 0, count);
                done += count;
            }

            stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>Writes back all dirty pages so a timed run does not pay for the previous step's writes.</summary>
    public static void Sync()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var process = Process.Start(new ProcessStartInfo("sync") { UseShellExecute = false });
        process?.WaitForExit();
    }
}

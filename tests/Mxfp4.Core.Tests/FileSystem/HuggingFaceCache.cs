using System.Security.Cryptography;
using Mxfp4.Core.Tests.Conversion;

namespace Mxfp4.Core.Tests.FileSystem;

/// <summary>
/// A checkpoint laid out as <c>hf download</c> leaves it: <c>hub/models--org--name/snapshots/&lt;rev&gt;/*</c>, each
/// file a relative symbolic link to <c>../../blobs/&lt;sha256&gt;</c>.
/// </summary>
internal static class HuggingFaceCache
{
    /// <summary>Puts samples/<paramref name="sample"/> into a cache under <paramref name="parent"/> and returns the snapshot
    /// directory.</summary>
    public static string Create(string parent, string sample)
    {
        string repository = Path.Combine(parent, "hub", "models--openai--" + sample);
        string blobs = Path.Combine(repository, "blobs");
        string snapshot = Path.Combine(repository, "snapshots", "0123456789abcdef");
        Directory.CreateDirectory(blobs);
        Directory.CreateDirectory(snapshot);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(SampleCheckpointFiles.SamplesDirectory, sample)))
        {
            string hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
            File.Copy(file, Path.Combine(blobs, hash));
            File.CreateSymbolicLink(Path.Combine(snapshot, Path.GetFileName(file)), Path.Combine("..", "..", "blobs", hash));
        }

        return snapshot;
    }
}

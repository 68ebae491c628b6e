using Mxfp4.Core.Safetensors;

namespace Mxfp4.PowerShell.Tests.Reliability;

/// <summary>
/// A small checkpoint in its own temporary directory: one MXFP4 expert tensor [4, 64, 64] (with random blocks and
/// scales near 2^0) and one BF16 tensor, enough for every cmdlet to do real work in milliseconds.
/// </summary>
internal sealed class SmallCheckpoint : IDisposable
{
    public SmallCheckpoint()
    {
        Directory.CreateDirectory(DirectoryPath);
        var random = new Random(11);
        var blocks = new byte[4 * 64 * 2 * 16];
        random.NextBytes(blocks);
        var scales = new byte[4 * 64 * 2];
        for (int i = 0; i < scales.Length; i++)
        {
            scales[i] = (byte)random.Next(122, 132);
        }

        var bf16 = new byte[64 * 2];
        random.NextBytes(bf16);
        SafetensorsWriter.WriteFile(Path,
        [
            (new TensorSpec("model.layers.0.mlp.experts.down_proj_blocks", SafetensorsDType.U8, [4, 64, 2, 16]), blocks),
            (new TensorSpec("model.layers.0.mlp.experts.down_proj_scales", SafetensorsDType.U8, [4, 64, 2]), scales),
            (new TensorSpec("model.norm.weight", SafetensorsDType.BF16, [64]), bf16),
        ]);
    }

    public string DirectoryPath { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mxfp4-rel-"
        + Guid.NewGuid().ToString("N"));

    public string Path => System.IO.Path.Combine(DirectoryPath, "model.safetensors");

    public void Dispose() => Directory.Delete(DirectoryPath, recursive: true);
}

using Mxfp4.Core.Safetensors;

namespace Mxfp4.PowerShell.Tests.Cmdlets;

/// <summary>
/// A checkpoint large enough that every long-running cmdlet is still busy when it is stopped: one MXFP4 expert
/// tensor [8, 4096, 2048] (64 MiB of blocks; 256 MiB as F32) with its scales, in a temporary directory.
/// </summary>
public sealed class LargeCheckpointFixture : IDisposable
{
    public LargeCheckpointFixture()
    {
        Directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mxfp4-large-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        const int Experts = 8, Rows = 4096, Groups = 64;
        var random = new Random(7);
        var blocks = new byte[Experts * Rows * Groups * 16];
        random.NextBytes(blocks);
        var scales = new byte[Experts * Rows * Groups];
        Array.Fill(scales, (byte)120);
        Path = System.IO.Path.Combine(Directory, "model.safetensors");
        SafetensorsWriter.WriteFile(Path,
        [
            (new TensorSpec("experts.w_blocks", SafetensorsDType.U8, [Experts, Rows, Groups, 16]), blocks),
            (new TensorSpec("experts.w_scales", SafetensorsDType.U8, [Experts, Rows, Groups]), scales),
        ]);
    }

    public string Directory { get; }

    public string Path { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

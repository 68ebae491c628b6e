using Mxfp4.Core.Formats;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Core.Tests.Giants;

/// <summary>
/// A sparse 5.8 GB shard shaped like gpt-oss-120b's layer: a 4.5 GB BF16 filler first, then gate_up_proj as an
/// MXFP4 pair (blocks [132, 5760, 90, 16], scales [132, 5760, 90]) lying wholly beyond 4 GiB. The real tensor has
/// 128 experts (2.12e9 elements, just under 2^31); 132 take it past 2^31 (2.19e9). Only the last
/// <see cref="FilledRows"/> rows of the last expert hold data; every other row is zero.
/// </summary>
public sealed class GptOss120bGateUpCheckpoint : IDisposable
{
    public const int Experts = 132;
    public const int RowsPerExpert = 5760;
    public const int GroupsPerRow = 90;
    public const int Columns = GroupsPerRow * Mxfp4Format.BlockElements;
    public const int FilledRows = 4;
    public const string Name = "model.layers.35.mlp.experts.gate_up_proj";

    public GptOss120bGateUpCheckpoint()
    {
        Directory.CreateDirectory(DirectoryPath);
        var random = new Random(120);
        TailBlocks = new byte[FilledRows * GroupsPerRow * Mxfp4Format.BlockBytes];
        random.NextBytes(TailBlocks);
        TailScales = new byte[FilledRows * GroupsPerRow];
        for (int i = 0; i < TailScales.Length; i++)
        {
            // Scales around 2^0 keep products in a range where a float64 reference is meaningful.
            TailScales[i] = (byte)random.Next(120, 135);
        }

        long tailRows = (long)Experts * RowsPerExpert - FilledRows;
        try
        {
            SparseCheckpoint.Write(
                Path,
                [
                    new TensorSpec("model.layers.35.filler", SafetensorsDType.BF16, [68_750, 32_768]),
                    new TensorSpec(Name + "_blocks", SafetensorsDType.U8, [Experts, RowsPerExpert, GroupsPerRow, Mxfp4Format.BlockBytes]),
                    new TensorSpec(Name + "_scales", SafetensorsDType.U8, [Experts, RowsPerExpert, GroupsPerRow]),
                ],
                [
                    (Name + "_blocks", tailRows * GroupsPerRow * Mxfp4Format.BlockBytes, TailBlocks),
                    (Name + "_scales", tailRows * GroupsPerRow, TailScales),
                ]);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string DirectoryPath { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mxfp4-giant-{Guid.NewGuid():N}");

    public string Path => System.IO.Path.Combine(DirectoryPath, "model.safetensors");

    /// <summary>Blocks of the last <see cref="FilledRows"/> rows of the last expert.</summary>
    public byte[] TailBlocks { get; }

    public byte[] TailScales { get; }

    public void Dispose() => Directory.Delete(DirectoryPath, recursive: true);
}

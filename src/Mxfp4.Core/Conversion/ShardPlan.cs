using Mxfp4.Core.Safetensors;

namespace Mxfp4.Core.Conversion;

/// <summary>One output shard: its source, its final path, the exact header and the tensors in file order.</summary>
public sealed class ShardPlan
{
    internal ShardPlan(string sourcePath, string targetPath, IReadOnlyList<PlannedTensor> tensors, SafetensorsLayout layout)
    {
        SourcePath = sourcePath;
        TargetPath = targetPath;
        Tensors = tensors;
        Layout = layout;
    }

    public string SourcePath { get; }

    public string TargetPath { get; }

    public IReadOnlyList<PlannedTensor> Tensors { get; }

    public SafetensorsLayout Layout { get; }

    public long FileLength => Layout.FileLength;

    /// <summary>Tensors dequantized or encoded (an encoded pair counts once).</summary>
    public int ConvertedCount => Tensors.Count(t => t.Dequantize is not null || t.Quantize is { IsScales: false });

    public int CopiedCount => Tensors.Count(t => t.CopyOf is not null);
}

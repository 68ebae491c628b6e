using System.Diagnostics;
using Mxfp4.Core.Conversion;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tests.Tensors;
using Xunit;
using Xunit.Abstractions;

namespace Mxfp4.Core.Tests.Giants;

/// <summary>
/// Converts one MXFP4 tensor whose F32 output is 4.125 GiB, so output offsets pass 2^32. The source is sparse; the
/// output is real disk, deleted at the end whatever happens.
/// </summary>
public sealed class GiantConversionTests : IDisposable
{
    private const string Name = "model.layers.0.mlp.experts.down_proj";
    private const long Rows = 34_603_008;
    private const int TailRows = 8;

    /// <summary>Rows around element 2^30, whose F32 bytes sit at data offset 4 GiB.</summary>
    private const long BoundaryRow = (1L << 30) / Mxfp4Format.BlockElements;

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"mxfp4-giant-convert-{Guid.NewGuid():N}");
    private readonly ITestOutputHelper _output;

    public GiantConversionTests(ITestOutputHelper output)
    {
        _output = output;
        Directory.CreateDirectory(Path.Combine(_root, "source"));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [GiantFact]
    public void Conversion_writes_an_F32_tensor_past_4_GiB_whose_far_elements_match_the_reference()
    {
        var random = new Random(41);
        var tailBlocks = new byte[TailRows * Mxfp4Format.BlockBytes];
        var boundaryBlocks = new byte[2 * Mxfp4Format.BlockBytes];
        random.NextBytes(tailBlocks);
        random.NextBytes(boundaryBlocks);
        byte[] tailScales = [120, 127, 130, 134, 126, 125, 128, 129];
        byte[] boundaryScales = [131, 119];
        string sourcePath = Path.Combine(_root, "source", "model.safetensors");
        SparseCheckpoint.Write(
            sourcePath,
            [
                new TensorSpec(Name + "_blocks", SafetensorsDType.U8, [1, Rows, 1, Mxfp4Format.BlockBytes]),
                new TensorSpec(Name + "_scales", SafetensorsDType.U8, [1, Rows, 1]),
            ],
            [
                (Name + "_blocks", (Rows - TailRows) * Mxfp4Format.BlockBytes, tailBlocks),
                (Name + "_scales", Rows - TailRows, tailScales),
                (Name + "_blocks", (BoundaryRow - 1) * Mxfp4Format.BlockBytes, boundaryBlocks),
                (Name + "_scales", BoundaryRow - 1, boundaryScales),
            ]);

        string destination = Path.Combine(_root, "out");
        var watch = Stopwatch.StartNew();
        using (var source = Checkpoint.Open(sourcePath))
        {
            var plan = ConversionPlan.Create(source, destination, new ConversionOptions { Format = OutputFormat.F32, Threads = 2 });
            CheckpointConverter.Execute(source, plan);
        }

        _output.WriteLine($"converted {Rows * Mxfp4Format.BlockElements * 4L:N0} output bytes in {watch.Elapsed.TotalSeconds:F1} s");

        using var output = Checkpoint.Open(Path.Combine(destination, "model.safetensors"));
        var tensor = Assert.Single(output.Tensors);
        Assert.Equal(SafetensorsDType.F32, tensor.DType);
        Assert.Equal([1L, Rows, Mxfp4Format.BlockElements], tensor.Shape);
        Assert.True(tensor.DataOffset + tensor.ByteLength > 1L << 32);
        Assert.True(tensor.ByteLength > 4L << 30);

        AssertRows(tensor, Rows - TailRows, Mxfp4Fixture.Reference(tailBlocks, tailScales, OutputFormat.F32));
        AssertRows(tensor, BoundaryRow - 1, Mxfp4Fixture.Reference(boundaryBlocks, boundaryScales, OutputFormat.F32));
        AssertRows(tensor, BoundaryRow + 1, new byte[4 * Mxfp4Format.BlockElements]);
    }

    private static void AssertRows(TensorInfo tensor, long firstRow, byte[] expected)
    {
        using var file = new FileStream(tensor.Path, FileMode.Open, FileAccess.Read);
        file.Position = tensor.DataOffset + (firstRow * Mxfp4Format.BlockElements * 4);
        var actual = new byte[expected.Length];
        file.ReadExactly(actual);
        Assert.Equal(expected, actual);
    }
}

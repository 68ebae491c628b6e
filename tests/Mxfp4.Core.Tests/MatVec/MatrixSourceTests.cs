using Mxfp4.Core.MatVec;
using Mxfp4.Core.Safetensors;
using Xunit;

namespace Mxfp4.Core.Tests.MatVec;

public sealed class MatrixSourceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mxfp4-matvec-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void File_backed_matrix_equals_the_in_memory_matrix()
    {
        var random = new Random(61);
        var data = MatVecTestData.Random(random, 37, 9);
        var x = MatVecTestData.RandomVector(random, data.Columns);

        // Blocks and scales in different files, at odd offsets, as in a sharded checkpoint.
        string blocksPath = Write("blocks.bin", 13, data.Blocks);
        string scalesPath = Write("scales.bin", 5, data.Scales);
        using var blocksFile = MappedFile.Open(blocksPath);
        using var scalesFile = MappedFile.Open(scalesPath);
        var mapped = new Mxfp4Matrix(blocksFile, 13, scalesFile, 5, data.Rows, data.Groups);

        foreach (var precision in new[] { MatVecPrecision.Exact, MatVecPrecision.Int8 })
        {
            Assert.Equal(Mxfp4MatVec.Multiply(data.Matrix, x, precision: precision), Mxfp4MatVec.Multiply(mapped, x, precision: precision));
        }
    }

    [Fact]
    public void Expert_equals_the_extracted_matrix()
    {
        const int experts = 3;
        const int rowsPerExpert = 20;
        const int groups = 6;
        var random = new Random(62);
        var tensor = MatVecTestData.Random(random, experts * rowsPerExpert, groups);
        var x = MatVecTestData.RandomVector(random, groups * 32);
        string path = Write("experts.bin", 0, [.. tensor.Blocks, .. tensor.Scales]);
        using var file = MappedFile.Open(path);
        var mapped = new Mxfp4Matrix(file, 0, file, tensor.Blocks.Length, experts * rowsPerExpert, groups);

        for (int e = 0; e < experts; e++)
        {
            var blocks = tensor.Blocks.AsSpan(e * rowsPerExpert * groups * 16, rowsPerExpert * groups * 16).ToArray();
            var scales = tensor.Scales.AsSpan(e * rowsPerExpert * groups, rowsPerExpert * groups).ToArray();
            var expected = Mxfp4MatVec.Multiply(new Mxfp4Matrix(blocks, scales, groups), x, activation: MatVecActivation.SwiGLU);
            Assert.Equal(expected, Mxfp4MatVec.Multiply(mapped.Expert(e, rowsPerExpert), x, activation: MatVecActivation.SwiGLU));
            Assert.Equal(expected, Mxfp4MatVec.Multiply(tensor.Matrix.Expert(e, rowsPerExpert), x, activation: MatVecActivation.SwiGLU));
        }

        Assert.Equal("ExpertOutOfRange", Assert.Throws<Mxfp4Exception>(() => mapped.Expert(3, rowsPerExpert)).ErrorId);
    }

    [Fact]
    public void Mapped_matrix_beyond_the_file_is_rejected()
    {
        string path = Write("short.bin", 0, new byte[100]);
        using var file = MappedFile.Open(path);
        var error = Assert.Throws<Mxfp4Exception>(() => new Mxfp4Matrix(file, 0, file, 0, 2, 4));
        Assert.Equal("TensorOutOfRange", error.ErrorId);
        Assert.Throws<Mxfp4Exception>(() => new Mxfp4Matrix(file, 0, file, 0, long.MaxValue / 2, 4));
    }

    private string Write(string name, int padding, byte[] content)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, [.. new byte[padding], .. content]);
        return path;
    }
}

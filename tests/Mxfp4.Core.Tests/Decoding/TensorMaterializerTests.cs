using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Mxfp4.Core.Decoding;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Tensors;
using Mxfp4.Core.Tests.Tensors;
using Xunit;

namespace Mxfp4.Core.Tests.Decoding;

public sealed class TensorMaterializerTests : IDisposable
{
    private static readonly long[] Shape = [3, 4, 64];

    private readonly Mxfp4Fixture _fixture = new(24, separateFiles: false, seed: 11);

    public void Dispose() => _fixture.Dispose();

    [Theory]
    [InlineData(OutputFormat.F32, typeof(float[]))]
    [InlineData(OutputFormat.F16, typeof(Half[]))]
    [InlineData(OutputFormat.BF16, typeof(ushort[]))]
    public void An_expert_is_materialised_as_its_reference_values(OutputFormat format, Type arrayType)
    {
        var slice = TensorSlice.Select("t", Shape, [1], null).Single();
        var reader = new ChunkedReader(_fixture.Source, slice, format, threads: 2);

        var data = TensorMaterializer.Allocate(reader, "t", memoryLimit: 256 * format.BytesPerElement());
        var progress = new List<long>();
        TensorMaterializer.Fill(reader, data, progress.Add, CancellationToken.None);

        Assert.IsType(arrayType, data);
        Assert.Equal(256, data.Length);
        int length = 256 * format.BytesPerElement();
        var bytes = MemoryMarshal.CreateReadOnlySpan(ref MemoryMarshal.GetArrayDataReference(data), length).ToArray();
        Assert.Equal(_fixture.Expected(format, 256, 256), bytes);
        Assert.Equal(256L, progress[^1]);
    }

    [Fact]
    public void One_byte_over_the_limit_is_TensorTooLarge_with_the_facts_and_no_parameter_advice()
    {
        var slice = TensorSlice.Select("t", Shape, [0], null).Single();
        var reader = new ChunkedReader(_fixture.Source, slice, OutputFormat.BF16, threads: 1);

        var ex = Assert.Throws<Mxfp4Exception>(() => TensorMaterializer.Allocate(reader, "blk.0.w", memoryLimit: 511));

        Assert.Equal("TensorTooLarge", ex.ErrorId);
        Assert.Equal(Mxfp4ErrorCategory.LimitsExceeded, ex.Category);
        Assert.Equal("blk.0.w", ex.Target);
        Assert.Contains("256 elements (512 bytes as BF16)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("511 bytes", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotMatch(new Regex("-[A-Z][a-z]+"), ex.Message);
    }

    [Fact]
    public void An_array_of_the_wrong_type_or_length_is_refused()
    {
        var slice = TensorSlice.Select("t", Shape, [0], null).Single();
        var reader = new ChunkedReader(_fixture.Source, slice, OutputFormat.F32, threads: 1);

        Assert.Throws<ArgumentException>(() => TensorMaterializer.Fill(reader, new ushort[256], null, CancellationToken.None));
        Assert.Throws<ArgumentException>(() => TensorMaterializer.Fill(reader, new float[255], null, CancellationToken.None));
    }
}

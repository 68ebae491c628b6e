using Mxfp4.Core.Safetensors;
using Mxfp4.Fuzz;
using Xunit;

namespace Mxfp4.Core.Tests.Fuzz;

/// <summary>
/// Parsing cost grows linearly with the tensor count. Measured in allocated bytes, which a loaded machine cannot
/// skew; the times are printed by <c>Mxfp4.Fuzz --header-scaling</c>.
/// </summary>
public sealed class HeaderScalingTests
{
    [Fact]
    public void Allocations_for_100k_tensors_are_about_ten_times_those_for_10k()
    {
        long small = Allocated(10_000);
        long large = Allocated(100_000);

        double ratio = (double)large / small;
        Assert.True(ratio is > 5 and < 20, $"10k tensors: {small} bytes, 100k tensors: {large} bytes, ratio {ratio:F2}");
    }

    private static long Allocated(int tensors)
    {
        var (json, fileLength) = ScalingHeaders.Build(tensors);
        SafetensorsHeader.Parse(json, fileLength, "/scaling.safetensors");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var header = SafetensorsHeader.Parse(json, fileLength, "/scaling.safetensors");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(tensors, header.Tensors.Count);
        Assert.Equal("model.layers.0.weight", header.Tensors[0].Name);
        Assert.Equal(header.DataStart, header.Tensors[0].DataOffset);
        return allocated;
    }
}

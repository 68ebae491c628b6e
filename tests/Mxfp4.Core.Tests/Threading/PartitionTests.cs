using FsCheck.Xunit;
using Mxfp4.Core.Threading;
using Xunit;

namespace Mxfp4.Core.Tests.Threading;

public sealed class PartitionTests
{
    [Property(MaxTest = 1000)]
    public bool Parts_tile_the_range_on_unit_boundaries_with_sizes_within_one_unit(long totalSeed, int partsSeed, int unitSeed)
    {
        long total = Math.Abs(totalSeed % 10_000_000);
        int parts = 1 + Math.Abs(partsSeed % 64);
        long unit = 1 + Math.Abs(unitSeed % 4096);
        return Tiles(total, parts, unit);
    }

    [Property(MaxTest = 300)]
    public bool Huge_ranges_tile_too(int partsSeed, int unitSeed, int offsetSeed)
    {
        long total = (1L << 40) + Math.Abs(offsetSeed % 100_000);
        int parts = 1 + Math.Abs(partsSeed % 256);
        long unit = 1L << Math.Abs(unitSeed % 13);
        return Tiles(total, parts, unit);
    }

    [Theory]
    [InlineData(129, 2, 64)]
    [InlineData(64 * 3 + 1, 2, 64)]
    [InlineData(10, 4, 64)]
    [InlineData(0, 3, 32)]
    [InlineData(1, 1, 1)]
    public void Edge_cases_tile(long total, int parts, long unit) => Assert.True(Tiles(total, parts, unit));

    [Fact]
    public void Known_split()
    {
        // 5 units of 32 over 2 parts: 2 units, then 3 units ending with the partial one.
        Assert.Equal((0L, 64L), Partition.Range(150, 2, 0, 32));
        Assert.Equal((64L, 150L), Partition.Range(150, 2, 1, 32));
    }

    [Fact]
    public void Bad_arguments_throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Partition.Range(-1, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Partition.Range(10, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Partition.Range(10, 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Partition.Range(10, 2, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Partition.Range(10, 2, 0, 0));
    }

    private static bool Tiles(long total, int parts, long unit)
    {
        long expectedStart = 0;
        long smallest = long.MaxValue;
        long largest = 0;
        for (int i = 0; i < parts; i++)
        {
            var (start, end) = Partition.Range(total, parts, i, unit);
            if (start != expectedStart || end < start || (end != total && end % unit != 0))
            {
                return false;
            }

            smallest = Math.Min(smallest, end - start);
            largest = Math.Max(largest, end - start);
            expectedStart = end;
        }

        return expectedStart == total && largest - smallest <= unit;
    }
}

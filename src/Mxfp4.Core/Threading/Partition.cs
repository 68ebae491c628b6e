namespace Mxfp4.Core.Threading;

/// <summary>Static contiguous partitions of a range, with boundaries on multiples of a unit (e.g. a cache line of output).</summary>
public static class Partition
{
    /// <summary>
    /// The [start, end) of part <paramref name="index"/> of <paramref name="parts"/> over [0, <paramref name="total"/>),
    /// every boundary but the last a multiple of <paramref name="unit"/>; parts differ by at most one unit.
    /// </summary>
    public static (long Start, long End) Range(long total, int parts, int index, long unit = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        ArgumentOutOfRangeException.ThrowIfLessThan(parts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(unit, 1);
        if ((uint)index >= (uint)parts)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }

        long units = (total / unit) + (total % unit == 0 ? 0 : 1);
        long baseUnits = units / parts;
        long extra = units % parts;

        // The extra units go to the LAST parts: the final unit may be partial, and giving it to a part that also got an
        // extra unit keeps every size within one unit of every other.
        long firstWithExtra = parts - extra;
        long startUnit = (index * baseUnits) + Math.Max(0, index - firstWithExtra);
        long endUnit = startUnit + baseUnits + (index >= firstWithExtra ? 1 : 0);
        return (Math.Min(startUnit * unit, total), Math.Min(endUnit * unit, total));
    }
}

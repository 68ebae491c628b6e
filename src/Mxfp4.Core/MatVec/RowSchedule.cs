using Mxfp4.Core.Formats;

namespace Mxfp4.Core.MatVec;

/// <summary>What a matvec kernel does next with a chunk's rows (see <see cref="RowSchedule"/>).</summary>
internal enum RowStepKind
{
    /// <summary>One row holding a wide scale: summed by the kernel's float64 path.</summary>
    Wide,

    /// <summary>One row on the scalar path.</summary>
    Scalar,

    /// <summary><see cref="RowSchedule.GroupRows"/> rows, none wide, by the kernel's four-row pass.</summary>
    Group,

    /// <summary>Two rows by the two-row pass, or a last or lone row that the pass runs paired with itself.</summary>
    Pair,
}

/// <summary>The next <see cref="RowStep.Rows"/> rows from <see cref="RowStep.Row"/>, summed as <see cref="RowStep.Kind"/> says.</summary>
internal readonly record struct RowStep(RowStepKind Kind, int Row, int Rows);

/// <summary>
/// The order in which the Exact and Int8 kernels sum the rows of one chunk, and the prefetches that go with it: rows
/// holding a scale ≥ the first wide scale one by one in float64; otherwise, on the scalar path one by one; where the
/// kernel has a four-row pass and the next four rows hold no wide scale, four at a time; else two at a time (a wide
/// second row is left for the next step). The chunk's scales are searched once, since wide scales are rare. Which
/// rows go through which pass never changes a row's bits: each pass is bit-identical to the kernel's definition.
/// </summary>
internal ref struct RowSchedule
{
    /// <summary>Rows per pass of the four-row kernels, sharing each load of x.</summary>
    public const int GroupRows = 4;

    /// <summary>How many rows ahead of the rows being summed their blocks are prefetched (the window reaches past the chunk so
    /// prefetches never stop at its end); 8 was fastest out of cache of 4, 6, 8, 12, 16 and 24 on Zen 4.</summary>
    private const int PrefetchRows = 8;

    private readonly ReadOnlySpan<byte> _blocks;
    private readonly ReadOnlySpan<byte> _scales;
    private readonly int _groups;
    private readonly int _rows;
    private readonly byte _firstWideScale;
    private readonly bool _scalar;
    private readonly bool _groupPass;
    private readonly bool _anyWide;
    private int _next;

    /// <summary>
    /// A schedule for <paramref name="rows"/> rows of <paramref name="groups"/> blocks; <paramref name="blocks"/> and
    /// <paramref name="scales"/> may reach past them (the window), which only the prefetches read.
    /// </summary>
    public RowSchedule(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, int groups, int rows, byte firstWideScale, bool scalar,
        bool groupPass)
    {
        _blocks = blocks;
        _scales = scales;
        _groups = groups;
        _rows = rows;
        _firstWideScale = firstWideScale;
        _scalar = scalar;
        _groupPass = groupPass;

        // The next chunk's scales, which the window holds: the row prefetches do not cover them, and the search below
        // would otherwise wait for them at the start of every chunk.
        SimdOps.Prefetch(scales, rows * groups, rows * groups);
        _anyWide = scales[..(rows * groups)].IndexOfAnyInRange(firstWideScale, byte.MaxValue) >= 0;
    }

    /// <summary>The next step, or false when every row has been given out.</summary>
    public bool TryNext(out RowStep step)
    {
        int r = _next;
        if (r >= _rows)
        {
            step = default;
            return false;
        }

        int rowBytes = _groups * Mxfp4Format.BlockBytes;
        if (HasWide(r, 1))
        {
            step = new RowStep(RowStepKind.Wide, r, 1);
        }
        else if (_scalar)
        {
            step = new RowStep(RowStepKind.Scalar, r, 1);
        }
        else if (_groupPass && r + GroupRows <= _rows && !HasWide(r + 1, GroupRows - 1))
        {
            SimdOps.Prefetch(_blocks, (r + PrefetchRows) * rowBytes, GroupRows * rowBytes);
            step = new RowStep(RowStepKind.Group, r, GroupRows);
        }
        else
        {
            SimdOps.Prefetch(_blocks, (r + PrefetchRows) * rowBytes, 2 * rowBytes);
            step = new RowStep(RowStepKind.Pair, r, r + 1 < _rows && !HasWide(r + 1, 1) ? 2 : 1);
        }

        _next = r + step.Rows;
        return true;
    }

    private readonly bool HasWide(int row, int count)
        => _anyWide && _scales.Slice(row * _groups, count * _groups).IndexOfAnyInRange(_firstWideScale, byte.MaxValue) >= 0;
}

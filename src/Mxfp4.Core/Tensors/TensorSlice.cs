namespace Mxfp4.Core.Tensors;

/// <summary>
/// A part of a tensor to decode: whole experts of a 3-D <c>[E, rows, K]</c> tensor and/or whole rows (a row is the
/// last dimension), as element ranges in storage order. Consecutive rows merge into one range so a contiguous
/// selection decodes in one pass.
/// </summary>
public sealed class TensorSlice
{
    private TensorSlice(int? expert, long[] shape, IReadOnlyList<(long First, long Count)> ranges)
    {
        Expert = expert;
        Shape = shape;
        Ranges = ranges;
        ElementCount = ranges.Sum(r => r.Count);
    }

    /// <summary>The expert this slice is from, or null when no expert was selected.</summary>
    public int? Expert { get; }

#pragma warning disable CA1819 // a shape is naturally an array
    public long[] Shape { get; }
#pragma warning restore CA1819

    public IReadOnlyList<(long First, long Count)> Ranges { get; }

    public long ElementCount { get; }

    /// <summary>Whether the slice is one contiguous run of elements (what a stream can serve).</summary>
    public bool IsContiguous => Ranges.Count <= 1;

    /// <summary>
    /// One slice per selected expert (or one slice when <paramref name="experts"/> is empty). <paramref name="rows"/>
    /// selects rows of each expert's matrix, or of the tensor's rows when no expert is given.
    /// </summary>
    public static IReadOnlyList<TensorSlice> Select(string tensorName, long[] shape, IReadOnlyList<int>? experts, IReadOnlyList<long>? rows)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long columns = shape.Length == 0 ? 1 : shape[^1];
        long total = shape.Aggregate(1L, (a, b) => checked(a * b));
        if (experts is null || experts.Count == 0)
        {
            if (rows is null || rows.Count == 0)
            {
                return [new TensorSlice(null, shape, [(0, total)])];
            }

            return [RowSlice(tensorName, null, 0, columns == 0 ? 0 : total / columns, columns, rows)];
        }

        if (shape.Length != 3)
        {
            throw new Mxfp4Exception(
                ErrorIds.InvalidSlice,
                Mxfp4ErrorCategory.InvalidArgument,
                $"Tensor '{tensorName}' has shape [{string.Join(", ", shape)}]; "
                    + "experts are selected only from a 3-D [experts, rows, columns] tensor.",
                tensorName);
        }

        var slices = new List<TensorSlice>();
        long expertElements = shape[1] * shape[2];
        foreach (int expert in experts)
        {
            if (expert < 0 || expert >= shape[0])
            {
                throw new Mxfp4Exception(
                    ErrorIds.ExpertOutOfRange,
                    Mxfp4ErrorCategory.InvalidArgument,
                    $"Expert {expert} is out of range: tensor '{tensorName}' has {Plural.Of(shape[0], "expert", "experts")} "
                        + $"(0..{shape[0] - 1}).",
                    tensorName);
            }

            slices.Add(rows is null || rows.Count == 0
                ? new TensorSlice(expert, [shape[1], shape[2]], [(expert * expertElements, expertElements)])
                : RowSlice(tensorName, expert, expert * expertElements, shape[1], shape[2], rows));
        }

        return slices;
    }

    private static TensorSlice RowSlice(string tensorName, int? expert, long baseElement, long rowCount, long columns,
        IReadOnlyList<long> rows)
    {
        var ranges = new List<(long First, long Count)>();
        foreach (long row in rows)
        {
            if (row < 0 || row >= rowCount)
            {
                throw new Mxfp4Exception(
                    ErrorIds.RowOutOfRange,
                    Mxfp4ErrorCategory.InvalidArgument,
                    $"Row {row} is out of range: tensor '{tensorName}' has {Plural.Of(rowCount, "row", "rows")} "
                        + $"(0..{rowCount - 1}){(expert is null ? string.Empty : " per expert")}.",
                    tensorName);
            }

            long first = baseElement + (row * columns);
            if (ranges.Count > 0 && ranges[^1].First + ranges[^1].Count == first)
            {
                ranges[^1] = (ranges[^1].First, ranges[^1].Count + columns);
            }
            else
            {
                ranges.Add((first, columns));
            }
        }

        return new TensorSlice(expert, [rows.Count, columns], ranges);
    }
}

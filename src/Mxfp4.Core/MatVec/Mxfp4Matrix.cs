using Mxfp4.Core.Formats;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;

namespace Mxfp4.Core.MatVec;

/// <summary>
/// A read-only view of an MXFP4 matrix <c>[Rows, GroupsPerRow·32]</c>: blocks <c>[Rows, GroupsPerRow, 16]</c> bytes and
/// scales <c>[Rows, GroupsPerRow]</c> bytes, either in memory-mapped files (blocks and scales may live in different
/// shards) or in memory. The view never copies and does not own the files; the matrix as a whole may exceed 2 GiB,
/// so kernels read it through <see cref="GetRows"/> windows of whole rows.
/// </summary>
public sealed class Mxfp4Matrix
{
    /// <summary>The widest a matrix may be: the vector it multiplies must fit one span.</summary>
    public const int MaxGroupsPerRow = int.MaxValue / Mxfp4Format.BlockElements;

    private readonly Mxfp4Storage _storage;

    /// <summary>A matrix stored in mapped files, starting at the given byte offsets (e.g. a tensor's data offset plus an expert's
    /// start).</summary>
    public Mxfp4Matrix(MappedFile blocksFile, long blocksOffset, MappedFile scalesFile, long scalesOffset, long rows, int groupsPerRow,
        string? name = null)
    {
        ArgumentNullException.ThrowIfNull(blocksFile);
        ArgumentNullException.ThrowIfNull(scalesFile);
        CheckShape(rows, groupsPerRow);
        Name = name;
        Rows = rows;
        GroupsPerRow = groupsPerRow;
        CheckWithin(blocksFile, blocksOffset, BlockBytesPerRow, "blocks");
        CheckWithin(scalesFile, scalesOffset, groupsPerRow, "scales");
        _storage = Mxfp4Storage.InFiles(blocksFile, blocksOffset, scalesFile, scalesOffset, rows * groupsPerRow);
    }

    /// <summary>
    /// A tensor's storage (as <see cref="Mxfp4TensorSource.Storage"/>) viewed as <paramref name="rows"/> rows of
    /// <paramref name="groupsPerRow"/> groups.
    /// </summary>
    public Mxfp4Matrix(Mxfp4Storage storage, long rows, int groupsPerRow, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        CheckShape(rows, groupsPerRow);
        Name = name;
        if ((decimal)rows * groupsPerRow != storage.GroupCount)
        {
            throw new Mxfp4Exception(
                ErrorIds.ShapeMismatch,
                Mxfp4ErrorCategory.InvalidArgument,
                $"{Plural.Of(storage.GroupCount, "group", "groups")} do not form "
                    + $"{Plural.Of(rows, "row", "rows")} of {groupsPerRow} groups.",
                name);
        }

        Rows = rows;
        GroupsPerRow = groupsPerRow;
        _storage = storage;
    }

    /// <summary>A matrix in memory; <paramref name="scales"/> holds Rows·GroupsPerRow bytes and <paramref name="blocks"/> 16 times as
    /// many.</summary>
    public Mxfp4Matrix(ReadOnlyMemory<byte> blocks, ReadOnlyMemory<byte> scales, int groupsPerRow, string? name = null)
    {
        CheckShape(0, groupsPerRow);
        Name = name;
        if (scales.Length % groupsPerRow != 0 || (long)blocks.Length != (long)scales.Length * Mxfp4Format.BlockBytes)
        {
            throw new Mxfp4Exception(
                ErrorIds.ShapeMismatch,
                Mxfp4ErrorCategory.InvalidArgument,
                $"Blocks of {blocks.Length} bytes and scales of {scales.Length} bytes do not form whole rows of {groupsPerRow} groups "
                    + "(16 block bytes per scale byte).",
                name);
        }

        Rows = scales.Length / groupsPerRow;
        GroupsPerRow = groupsPerRow;
        _storage = Mxfp4Storage.InMemory(blocks, scales);
    }

    private Mxfp4Matrix(Mxfp4Matrix source, long firstRow, long rows)
    {
        Name = source.Name;
        Rows = rows;
        GroupsPerRow = source.GroupsPerRow;
        _storage = source._storage.Slice(firstRow * GroupsPerRow, rows * GroupsPerRow);
    }

    /// <summary>The tensor's name, the target of errors about this matrix.</summary>
    public string? Name { get; }

    public long Rows { get; }

    public int GroupsPerRow { get; }

    /// <summary>The logical width K = GroupsPerRow·32, the length of the vector it multiplies.</summary>
    public int Columns => GroupsPerRow * BlockFormat.Mxfp4.BlockElements;

    /// <summary>Block bytes of one row.</summary>
    public int BlockBytesPerRow => GroupsPerRow * BlockFormat.Mxfp4.BlockBytes;

    /// <summary>The most rows one <see cref="GetRows"/> window can hold.</summary>
    public int MaxRowsPerWindow => int.MaxValue / BlockBytesPerRow;

    /// <summary>Rows [firstRow, firstRow + rowCount) as a matrix of their own.</summary>
    public Mxfp4Matrix Slice(long firstRow, long rowCount)
    {
        if (firstRow < 0 || rowCount < 0 || firstRow > Rows - rowCount)
        {
            throw new ArgumentOutOfRangeException(nameof(firstRow),
                $"Rows [{firstRow}, {firstRow + rowCount}) lie outside the matrix's {Rows} rows.");
        }

        return new Mxfp4Matrix(this, firstRow, rowCount);
    }

    /// <summary>
    /// Expert <paramref name="expert"/> of a 3-D tensor <c>[E, rowsPerExpert, K]</c> viewed as this matrix of E·rowsPerExpert rows:
    /// the contiguous sub-matrix of rows [expert·rowsPerExpert, (expert+1)·rowsPerExpert).
    /// </summary>
    public Mxfp4Matrix Expert(int expert, long rowsPerExpert)
    {
        if (rowsPerExpert <= 0 || Rows % rowsPerExpert != 0)
        {
            throw new Mxfp4Exception(ErrorIds.ShapeMismatch, Mxfp4ErrorCategory.InvalidArgument,
                $"{Plural.Of(Rows, "row", "rows")} do not split into experts of {Plural.Of(rowsPerExpert, "row", "rows")}.", Name);
        }

        long experts = Rows / rowsPerExpert;
        if (expert < 0 || expert >= experts)
        {
            throw new Mxfp4Exception(ErrorIds.ExpertOutOfRange, Mxfp4ErrorCategory.InvalidArgument,
                $"Expert {expert} does not exist; the tensor has {experts} experts (0..{experts - 1}).", Name);
        }

        return Slice(expert * rowsPerExpert, rowsPerExpert);
    }

    /// <summary>
    /// The blocks (rowCount·GroupsPerRow·16 bytes) and scales (rowCount·GroupsPerRow bytes) of rows
    /// [firstRow, firstRow + rowCount); rowCount is at most <see cref="MaxRowsPerWindow"/>.
    /// </summary>
    public void GetRows(long firstRow, int rowCount, out ReadOnlySpan<byte> blocks, out ReadOnlySpan<byte> scales)
    {
        if (firstRow < 0 || rowCount < 0 || firstRow > Rows - rowCount || rowCount > MaxRowsPerWindow)
        {
            throw new ArgumentOutOfRangeException(nameof(firstRow),
                $"Rows [{firstRow}, {firstRow + rowCount}) lie outside the matrix's {Rows} rows or exceed one window.");
        }

        _storage.GetGroups(firstRow * GroupsPerRow, rowCount * GroupsPerRow, out blocks, out scales);
    }

    private static void CheckShape(long rows, int groupsPerRow)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if (groupsPerRow is < 1 or > MaxGroupsPerRow)
        {
            throw new ArgumentOutOfRangeException(nameof(groupsPerRow),
                $"Groups per row must be in [1, {MaxGroupsPerRow}], got {groupsPerRow}.");
        }
    }

    private void CheckWithin(MappedFile file, long offset, int bytesPerRow, string what)
    {
        // A caller-supplied row count can make rows·bytesPerRow overflow a long; decimal cannot.
        if (offset < 0 || (decimal)offset + ((decimal)Rows * bytesPerRow) > file.Length)
        {
            throw new Mxfp4Exception(
                ErrorIds.TensorOutOfRange,
                Mxfp4ErrorCategory.InvalidData,
                $"The {what} of {Rows} rows × {GroupsPerRow} groups at offset {offset} reach beyond the end of '{file.Path}' "
                    + $"({file.Length} bytes).",
                Name);
        }
    }
}

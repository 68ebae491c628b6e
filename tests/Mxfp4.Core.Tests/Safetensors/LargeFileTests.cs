using System.Buffers.Binary;
using System.Text;
using Mxfp4.Core.Safetensors;
using Xunit;

namespace Mxfp4.Core.Tests.Safetensors;

/// <summary>
/// 64-bit offsets and counts on real files: sparse files whose tensors lie beyond 4 GiB and hold more than 2^31
/// elements. Only the header is written; the rest reads as zeros and costs no disk space.
/// </summary>
public sealed class LargeFileTests : IDisposable
{
    private const long PadBytes = 5_000_000_000;
    private const long ManyElements = 4_400_000_001 + 1; // F4: 2.2e9 bytes, 4.4e9 elements
    private const long ManyBytes = ManyElements / 2;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string WriteSparse(out string json)
    {
        // Hand-written: pad U8 [5e9] at [0, 5e9), many F4 [4.4e9] after it, tail F32 [4] last.
        long manyEnd = PadBytes + ManyBytes;
        json = "{\"tail\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[" + manyEnd + "," + (manyEnd + 16) + "]},"
            + "\"pad\":{\"dtype\":\"U8\",\"shape\":[" + PadBytes + "],\"data_offsets\":[0," + PadBytes + "]},"
            + "\"many\":{\"dtype\":\"F4\",\"shape\":[2,2200000001],\"data_offsets\":[" + PadBytes + "," + manyEnd + "]}}";
        var bytes = Encoding.UTF8.GetBytes(json);
        var path = _dir.File("sparse.safetensors");
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        stream.SetLength(8 + bytes.Length + manyEnd + 16);
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)bytes.Length);
        stream.Write(prefix);
        stream.Write(bytes);
        return path;
    }

    [Fact]
    public void Header_beyond_4_GiB_parses_with_exact_offsets_and_counts()
    {
        var path = WriteSparse(out var json);
        var header = SafetensorsHeader.Read(path);
        long dataStart = 8 + json.Length;
        Assert.Equal(dataStart, header.DataStart);
        Assert.Equal(dataStart + PadBytes + ManyBytes + 16, header.FileLength);
        Assert.Equal(["pad", "many", "tail"], header.Tensors.Select(t => t.Name));

        var many = header.Find("many")!;
        Assert.Equal(4_400_000_002L, many.ElementCount);
        Assert.Equal(2_200_000_001L, many.ByteLength);
        Assert.Equal(dataStart + PadBytes, many.DataOffset);
        Assert.True(many.ElementCount > int.MaxValue);

        var tail = header.Find("tail")!;
        Assert.Equal(dataStart + PadBytes + ManyBytes, tail.DataOffset);
        Assert.True(tail.DataOffset > 1L << 32);
    }

    [Fact]
    public void Mapped_sparse_file_hands_out_windows_near_its_end()
    {
        var path = WriteSparse(out _);
        using var file = SafetensorsFile.Open(path);
        var tail = file.Header.Find("tail")!;
        var bytes = file.Map.GetSpan(tail.DataOffset, 16);
        Assert.Equal(16, bytes.Length);
        Assert.True(bytes.IndexOfAnyExcept((byte)0) < 0);

        var many = file.Header.Find("many")!;
        var last = file.Map.GetSpan(many.DataOffset + many.ByteLength - 4096, 4096);
        Assert.True(last.IndexOfAnyExcept((byte)0) < 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => file.Map.GetSpan(file.Map.Length - 4095, 4096).Length);
    }
}

using System.Buffers.Binary;
using System.Text.Json;
using FsCheck.Xunit;
using Mxfp4.Core.Safetensors;
using Xunit;

namespace Mxfp4.Core.Tests.Safetensors;

public sealed class WriterTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] Pattern(long length, int salt)
    {
        var data = new byte[length];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (byte)((i * 31) + (salt * 17) + 5);
        }

        return data;
    }

    private static void AssertReadsBack(string path, IReadOnlyList<(TensorSpec Spec, byte[] Data)> tensors, IReadOnlyDictionary<string,
        string>? metadata)
    {
        var bytes = File.ReadAllBytes(path);
        var header = SafetensorsHeader.Read(path);
        Assert.Equal(0, header.DataStart % 8);
        Assert.Equal(bytes.LongLength, header.FileLength);
        // Names and offsets must match; the order among zero-length tensors sharing an offset is the reader's own (by name).
        Assert.Equal(tensors.Select(t => t.Spec.Name).Order(StringComparer.Ordinal),
            header.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal));
        long expectedOffset = header.DataStart;
        foreach (var (spec, data) in tensors)
        {
            var info = header.Find(spec.Name);
            Assert.NotNull(info);
            Assert.Equal(spec.DType, info.DType);
            Assert.Equal(spec.Shape, info.Shape);
            Assert.Equal(data.LongLength, info.ByteLength);
            Assert.Equal(expectedOffset, info.DataOffset);
            Assert.Equal(data, bytes.AsSpan((int)info.DataOffset, data.Length).ToArray());
            expectedOffset += data.LongLength;
        }

        Assert.Equal((metadata ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal),
            header.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void Round_trip_with_metadata_dtypes_and_awkward_names()
    {
        var tensors = new List<(TensorSpec, byte[])>
        {
            (new TensorSpec("model.layers.0.mlp.experts.gate_up_proj_blocks", SafetensorsDType.U8, [2, 3, 16]), Pattern(96, 1)),
            (new TensorSpec("quote\"back\\slash/tab\t", SafetensorsDType.BF16, [3]), Pattern(6, 2)),
            (new TensorSpec("ünïcødé 名前 😀", SafetensorsDType.F32, [1, 2]), Pattern(8, 3)),
            (new TensorSpec("empty", SafetensorsDType.F64, [0, 4]), []),
            (new TensorSpec("fp4", SafetensorsDType.F4, [6]), Pattern(3, 4)),
            (new TensorSpec("scalar", SafetensorsDType.I64, []), Pattern(8, 5)),
            (new TensorSpec("<script>&'", SafetensorsDType.F8_E8M0, [5]), Pattern(5, 6)),
        };
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note \"x\""] = "a\\b\nc é", [""] = "" };
        var path = _dir.File("rt.safetensors");
        SafetensorsWriter.WriteFile(path, tensors, metadata);
        AssertReadsBack(path, tensors, metadata);
        Assert.Single(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void Header_is_compact_json_with_metadata_first_then_entries_in_order()
    {
        var layout = SafetensorsLayout.Create(
            [new TensorSpec("b", SafetensorsDType.U8, [3]), new TensorSpec("a", SafetensorsDType.U16, [2])],
            new Dictionary<string, string> { ["k"] = "v" });
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(layout.Prefix);
        Assert.Equal(layout.Prefix.Length - 8, n);
        var text = System.Text.Encoding.UTF8.GetString(layout.Prefix, 8, (int)n);
        var json = text.TrimEnd(' ');
        Assert.Equal(
            "{\"__metadata__\":{\"k\":\"v\"},\"b\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[0,3]},\"a\":{\"dtype\":\"U16\","
                + "\"shape\":[2],\"data_offsets\":[3,7]}}", json);
        Assert.Equal(0, layout.DataStart % 8);
        Assert.True(text.Length - json.Length < 8);
        Assert.Equal(layout.DataStart + 7, layout.FileLength);
        Assert.Equal([(0L, 3L), (3L, 7L)], layout.Entries.Select(e => (e.Begin, e.End)));
    }

    [Fact]
    public void Data_start_is_a_multiple_of_8_for_every_header_length()
    {
        var seen = new HashSet<long>();
        for (int length = 0; length < 24; length++)
        {
            var layout = SafetensorsLayout.Create([new TensorSpec(new string('n', length), SafetensorsDType.U8, [1])], null);
            Assert.Equal(0, layout.DataStart % 8);
            var header = SafetensorsHeader.Parse(layout.Prefix.AsSpan(8), layout.FileLength, "/w.safetensors");
            Assert.Equal(layout.DataStart, header.DataStart);
            seen.Add(header.DataStart);
        }

        Assert.True(seen.Count >= 3);
    }

    [Fact]
    public void No_tensors_and_no_metadata_is_an_empty_object()
    {
        var layout = SafetensorsLayout.Create([], null);
        Assert.Equal("{}      ", System.Text.Encoding.UTF8.GetString(layout.Prefix, 8, layout.Prefix.Length - 8));
        Assert.Equal(16, layout.FileLength);
    }

    [Property(MaxTest = 60)]
    public void Written_files_read_back_identically(int seed, byte count, bool withMetadata)
    {
        var random = new Random(seed);
        var dtypes = Enum.GetValues<SafetensorsDType>();
        var tensors = new List<(TensorSpec Spec, byte[] Data)>();
        for (int i = 0; i < count % 12; i++)
        {
            var dtype = dtypes[random.Next(dtypes.Length)];
            var shape = Enumerable.Range(0, random.Next(4)).Select(_ => (long)random.Next(6)).ToList();
            long elements = shape.Aggregate(1L, (a, b) => a * b);
            if (elements * DTypeTable.BitSize(dtype) % 8 != 0)
            {
                shape.Add(4);
            }

            var spec = new TensorSpec($"t{i}\"\\é{(char)random.Next(1, 32)}", dtype, [.. shape]);
            tensors.Add((spec, Pattern(spec.ByteLength, i)));
        }

        var metadata = withMetadata ? new Dictionary<string, string> { ["seed"] = seed.ToString(), ["x\u0001"] = "\u00ff" } : null;
        var path = _dir.File($"p{Guid.NewGuid():N}.safetensors");
        SafetensorsWriter.WriteFile(path, tensors, metadata);
        AssertReadsBack(path, tensors, metadata);
        File.Delete(path);
    }

    [Fact]
    public void Callback_writing_too_few_or_too_many_bytes_fails()
    {
        var layout = SafetensorsLayout.Create([new TensorSpec("a", SafetensorsDType.U8, [4])], null);
        Assert.Throws<InvalidOperationException>(() => SafetensorsWriter.Write(new MemoryStream(), layout, (_, s) => s.Write(new byte[3])));
        Assert.Throws<InvalidOperationException>(() => SafetensorsWriter.Write(new MemoryStream(), layout, (_, s) => s.Write(new byte[5])));
        Assert.Throws<InvalidOperationException>(() => SafetensorsWriter.Write(new MemoryStream(), layout, (_, s) =>
        {
            s.Write(new byte[4]);
            s.WriteByte(0);
        }));
    }

    [Fact]
    public void Stream_writer_hands_out_entries_in_order_and_writes_the_layout()
    {
        var layout = SafetensorsLayout.Create(
            [new TensorSpec("a", SafetensorsDType.U8, [2]), new TensorSpec("b", SafetensorsDType.U8, [1])], null);
        var order = new List<int>();
        using var stream = new MemoryStream();
        SafetensorsWriter.Write(stream, layout, (i, s) =>
        {
            order.Add(i);
            s.Write(i == 0 ? [1, 2] : [3]);
        });
        Assert.Equal([0, 1], order);
        Assert.Equal(layout.FileLength, stream.Length);
        Assert.Equal([1, 2, 3], stream.ToArray()[(int)layout.DataStart..]);
    }

    [Fact]
    public void Failing_callback_leaves_no_file_and_keeps_an_existing_destination()
    {
        var path = _dir.File("out.safetensors");
        File.WriteAllText(path, "previous");
        var layout = SafetensorsLayout.Create([new TensorSpec("a", SafetensorsDType.U8, [1 << 20])], null);
        Assert.Throws<IOException>(() => SafetensorsWriter.WriteFile(path, layout, (_, s) =>
        {
            s.Write(new byte[1000]);
            throw new IOException("disk on fire");
        }));
        Assert.Equal([path], Directory.GetFiles(_dir.Path));
        Assert.Equal("previous", File.ReadAllText(path));
    }

    [Fact]
    public void Wrong_data_length_leaves_no_file()
    {
        var path = _dir.File("out.safetensors");
        Assert.Throws<InvalidOperationException>(()
            => SafetensorsWriter.WriteFile(path, [(new TensorSpec("a", SafetensorsDType.F32, [2]), new byte[7])]));
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void Existing_destination_is_replaced_on_success()
    {
        var path = _dir.File("out.safetensors");
        File.WriteAllText(path, "previous");
        SafetensorsWriter.WriteFile(path, [(new TensorSpec("a", SafetensorsDType.U8, [1]), new byte[] { 9 })]);
        Assert.Equal(9, File.ReadAllBytes(path)[^1]);
        Assert.Single(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void Header_parses_as_plain_json_with_the_bcl()
    {
        var layout = SafetensorsLayout.Create([new TensorSpec("x\"y", SafetensorsDType.I16, [2, 2])], new Dictionary<string,
            string>
        { ["é"] = "\\" });
        using var doc = JsonDocument.Parse(layout.Prefix.AsMemory(8));
        var props = doc.RootElement.EnumerateObject().ToArray();
        Assert.Equal(["__metadata__", "x\"y"], props.Select(p => p.Name));
        Assert.Equal("\\", props[0].Value.GetProperty("é").GetString());
        Assert.Equal([0, 8], props[1].Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()));
    }

    [Theory]
    [InlineData("__metadata__")]
    [InlineData("dup")]
    public void Reserved_or_repeated_names_are_refused(string name) =>
        Assert.Throws<ArgumentException>(()
            => SafetensorsLayout.Create([new TensorSpec("dup", SafetensorsDType.U8, [1]), new TensorSpec(name, SafetensorsDType.U8, [1])],
            null));

    [Fact]
    public void Lone_surrogate_name_is_refused() =>
        Assert.Throws<ArgumentException>(() => SafetensorsLayout.Create([new TensorSpec("a\ud800", SafetensorsDType.U8, [1])], null));

    [Theory]
    [InlineData(SafetensorsDType.F4, new long[] { 3 })]
    [InlineData(SafetensorsDType.F6_E2M3, new long[] { 2 })]
    [InlineData(SafetensorsDType.U8, new long[] { -1 })]
    [InlineData(SafetensorsDType.F64, new long[] { 1L << 62, 4 })]
    public void Specs_without_a_whole_64_bit_byte_size_are_refused(SafetensorsDType dtype, long[] shape) =>
        Assert.Throws<ArgumentException>(() => new TensorSpec("t", dtype, shape));

    [Theory]
    [InlineData(SafetensorsDType.F4, new long[] { 2, 3 }, 3)]
    [InlineData(SafetensorsDType.F6_E3M2, new long[] { 4 }, 3)]
    [InlineData(SafetensorsDType.BF16, new long[] { 5, 7 }, 70)]
    [InlineData(SafetensorsDType.C64, new long[] { }, 8)]
    public void Spec_byte_length(SafetensorsDType dtype, long[] shape, long bytes) =>
        Assert.Equal(bytes, new TensorSpec("t", dtype, shape).ByteLength);
}

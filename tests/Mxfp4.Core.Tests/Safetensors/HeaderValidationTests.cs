using System.Buffers.Binary;
using System.Text;
using Mxfp4.Core.Safetensors;
using Xunit;

namespace Mxfp4.Core.Tests.Safetensors;

/// <summary>One crafted header per rule of DESIGN.md §2; each breaks exactly that rule.</summary>
public sealed class HeaderValidationTests
{
    private const string FakePath = "/x/model.safetensors";

    private static SafetensorsHeader Parse(string json, long dataLength) => Parse(Encoding.UTF8.GetBytes(json), dataLength);

    private static SafetensorsHeader Parse(byte[] json, long dataLength)
        => SafetensorsHeader.Parse(json, 8 + json.Length + dataLength, FakePath);

    private static SafetensorsFormatException Fails(string json, long dataLength)
        => Assert.Throws<SafetensorsFormatException>(() => Parse(json, dataLength));

    private static SafetensorsFormatException Fails(byte[] json, long dataLength)
        => Assert.Throws<SafetensorsFormatException>(() => Parse(json, dataLength));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void File_shorter_than_the_prefix_is_FileTooSmall(int length)
    {
        using var dir = new TempDirectory();
        var path = dir.File("small.safetensors");
        File.WriteAllBytes(path, new byte[length]);
        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsHeader.Read(path));
        Assert.Equal(SafetensorsErrorKind.FileTooSmall, e.Kind);
        Assert.Equal(path, e.Path);
        Assert.Equal("InvalidSafetensorsHeader", e.ErrorId);
        Assert.Equal(Mxfp4ErrorCategory.InvalidData, e.Category);
    }

    [Theory]
    [InlineData(100_000_001UL)]
    [InlineData(ulong.MaxValue)]
    [InlineData(1UL << 63)]
    public void Header_length_above_the_limit_is_HeaderTooLarge(ulong claimed)
    {
        var prefix = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, claimed);
        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsHeader.ReadHeaderLength(prefix, long.MaxValue, FakePath));
        Assert.Equal(SafetensorsErrorKind.HeaderTooLarge, e.Kind);
        Assert.Equal(claimed.ToString(), e.OffendingValue);
    }

    [Fact]
    public void Header_length_at_the_limit_is_accepted_by_the_prefix_check() =>
        Assert.Equal(100_000_000, SafetensorsHeader.ReadHeaderLength(BitConverter.GetBytes(100_000_000UL), 100_000_008, FakePath));

    [Fact]
    public void Header_reaching_beyond_the_file_is_InvalidHeaderLength()
    {
        using var dir = new TempDirectory();
        var path = dir.File("short.safetensors");
        var bytes = SafetensorsBytes.Build("{}", 0);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 3);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsHeader.Read(path));
        Assert.Equal(SafetensorsErrorKind.InvalidHeaderLength, e.Kind);
        Assert.Equal("3", e.OffendingValue);
    }

    [Theory]
    [InlineData(new byte[] { (byte)'{', 0xFF, (byte)'}' }, "1")]
    [InlineData(new byte[] { (byte)'{', (byte)'"', 0xC3, (byte)'"', (byte)':', (byte)'1', (byte)'}' }, "2")]
    [InlineData(new byte[] { (byte)'{', (byte)'"', 0xED, 0xA0, 0x80, (byte)'"', (byte)'}' }, "2")]
    public void Invalid_utf8_is_InvalidUtf8_at_its_offset(byte[] json, string offset)
    {
        var e = Fails(json, 0);
        Assert.Equal(SafetensorsErrorKind.InvalidUtf8, e.Kind);
        Assert.Equal(offset, e.OffendingValue);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("{\"a\":}")]
    [InlineData("{}{}")]
    [InlineData("{} x")]
    [InlineData("{,}")]
    [InlineData("{\"a\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[0,1],}}")]
    [InlineData("{/*c*/}")]
    [InlineData("{'a':1}")]
    [InlineData("{\"a\":{\"dtype\":\"U8\",\"shape\":[+1],\"data_offsets\":[0,1]}}")]
    [InlineData("\uFEFF{}")]
    [InlineData("{\"\\ud800\":{}}")]
    public void Not_one_json_object_is_InvalidJson(string json) => Assert.Equal(SafetensorsErrorKind.InvalidJson, Fails(json, 0).Kind);

    [Fact]
    public void Nul_padding_after_the_json_is_NulPadding()
    {
        var json = Encoding.UTF8.GetBytes("{}\0\0\0\0\0\0");
        Assert.Equal(SafetensorsErrorKind.NulPadding, Fails(json, 0).Kind);
    }

    [Fact]
    public void Nul_inside_the_json_is_InvalidJson() =>
        Assert.Equal(SafetensorsErrorKind.InvalidJson, Fails(Encoding.UTF8.GetBytes("{\"a\0\":1}"), 0).Kind);

    [Theory]
    [InlineData("  {}")]
    [InlineData("{}   ")]
    [InlineData("\r\n\t {} \t\r\n")]
    public void Json_whitespace_around_the_object_is_accepted(string json)
    {
        var header = Parse(json, 0);
        Assert.Empty(header.Tensors);
        Assert.Empty(header.Metadata);
        Assert.Equal(8 + json.Length, header.DataStart);
    }

    [Fact]
    public void Empty_header_with_no_data_is_accepted()
    {
        var header = Parse("{}", 0);
        Assert.Empty(header.Tensors);
        Assert.Equal(2, header.HeaderLength);
        Assert.Equal(10, header.FileLength);
        Assert.Null(header.Find("a"));
    }

    [Fact]
    public void Nesting_100_deep_is_NestingTooDeep()
    {
        string json = "{\"a\":" + new string('[', 100) + new string(']', 100) + "}";
        Assert.Equal(SafetensorsErrorKind.NestingTooDeep, Fails(json, 0).Kind);
    }

    [Fact]
    public void Nesting_100_deep_after_a_schema_error_is_still_NestingTooDeep()
    {
        string json = "{\"a\":{\"dtype\":\"nope\"},\"b\":" + new string('[', 100) + new string(']', 100) + "}";
        Assert.Equal(SafetensorsErrorKind.NestingTooDeep, Fails(json, 0).Kind);
    }

    [Fact]
    public void Nesting_limit_is_exactly_eight_containers()
    {
        // Eight containers pass the nesting rule (and then fail the schema); nine do not.
        string eight = "{\"a\":" + new string('[', 7) + new string(']', 7) + "}";
        string nine = "{\"a\":" + new string('[', 8) + new string(']', 8) + "}";
        Assert.Equal(SafetensorsErrorKind.InvalidType, Fails(eight, 0).Kind);
        Assert.Equal(SafetensorsErrorKind.NestingTooDeep, Fails(nine, 0).Kind);
    }

    [Fact]
    public void Parse_checks_the_header_against_the_file_length()
    {
        var json = Encoding.UTF8.GetBytes("{}");
        Assert.Equal(SafetensorsErrorKind.InvalidHeaderLength,
            Assert.Throws<SafetensorsFormatException>(() => SafetensorsHeader.Parse(json, 9, FakePath)).Kind);
    }

    [Theory]
    [InlineData("{\"t\":[]}", "t")]
    [InlineData("{\"t\":\"U8\"}", "t")]
    [InlineData("{\"t\":5}", "t")]
    [InlineData("{\"t\":null}", "t")]
    [InlineData("{\"t\":{\"dtype\":8,\"shape\":[1],\"data_offsets\":[0,1]}}", "t")]
    [InlineData("{\"t\":{\"dtype\":null,\"shape\":[1],\"data_offsets\":[0,1]}}", "t")]
    [InlineData("{\"t\":{\"dtype\":\"U8\",\"shape\":1,\"data_offsets\":[0,1]}}", "t")]
    [InlineData("{\"t\":{\"dtype\":\"U8\",\"shape\":{},\"data_offsets\":[0,1]}}", "t")]
    [InlineData("{\"t\":{\"dtype\":\"U8\",\"shape\":[\"1\"],\"data_offsets\":[0,1]}}", "t")]
    [InlineData("{\"t\":{\"dtype\":\"U8\",\"shape\":[[1]],\"data_offsets\":[0,1]}}", "t")]
    [InlineData("{\"t\":{\"dtype\":\"U8\",\"shape\":[true],\"data_offsets\":[0,1]}}", "t")]
    [InlineData("{\"t\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":\"0,1\"}}", "t")]
    [InlineData("{\"t\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0]}}", "t")]
    [InlineData("{\"t\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1,1]}}", "t")]
    [InlineData("{\"t\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,null]}}", "t")]
    public void Wrong_json_type_is_InvalidType(string json, string tensor)
    {
        var e = Fails(json, 1);
        Assert.Equal(SafetensorsErrorKind.InvalidType, e.Kind);
        Assert.Equal(tensor, e.TensorName);
    }

    [Theory]
    [InlineData("{\"t\":{\"shape\":[1],\"data_offsets\":[0,1]}}", "dtype")]
    [InlineData("{\"t\":{\"dtype\":\"U8\",\"data_offsets\":[0,1]}}", "shape")]
    [InlineData("{\"t\":{\"dtype\":\"U8\",\"shape\":[1]}}", "data_offsets")]
    [InlineData("{\"t\":{}}", "dtype")]
    public void Missing_field_is_MissingField(string json, string field)
    {
        var e = Fails(json, 1);
        Assert.Equal(SafetensorsErrorKind.MissingField, e.Kind);
        Assert.Equal("t", e.TensorName);
        Assert.Equal(field, e.OffendingValue);
    }

    [Fact]
    public void Unknown_field_in_an_entry_is_UnknownField()
    {
        var e = Fails("{\"t\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],\"extra\":1}}", 1);
        Assert.Equal(SafetensorsErrorKind.UnknownField, e.Kind);
        Assert.Equal("extra", e.OffendingValue);
    }

    [Theory]
    [InlineData("u8")]
    [InlineData("F128")]
    [InlineData("")]
    [InlineData("F8_E4M3FN")]
    public void Unknown_dtype_is_UnknownDType(string dtype)
    {
        var e = Fails("{\"t\":{\"dtype\":\"" + dtype + "\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1);
        Assert.Equal(SafetensorsErrorKind.UnknownDType, e.Kind);
        Assert.Equal(dtype, e.OffendingValue);
        Assert.Equal("t", e.TensorName);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("-0")]
    [InlineData("2.0")]
    [InlineData("2e0")]
    [InlineData("1E3")]
    [InlineData("1e-0")]
    [InlineData("0.5")]
    [InlineData("18446744073709551616")]
    [InlineData("99999999999999999999999")]
    public void Number_that_is_not_a_plain_u64_is_InvalidNumber(string number)
    {
        var inShape = Fails("{\"t\":{\"dtype\":\"U8\",\"shape\":[" + number + "],\"data_offsets\":[0,1]}}", 1);
        Assert.Equal(SafetensorsErrorKind.InvalidNumber, inShape.Kind);
        Assert.Equal(number, inShape.OffendingValue);
        var inOffsets = Fails("{\"t\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0," + number + "]}}", 1);
        Assert.Equal(SafetensorsErrorKind.InvalidNumber, inOffsets.Kind);
    }

    [Fact]
    public void Largest_u64_is_a_valid_number_that_then_overflows_the_shape()
    {
        var e = Fails("{\"t\":{\"dtype\":\"U8\",\"shape\":[18446744073709551615],\"data_offsets\":[0,1]}}", 1);
        Assert.Equal(SafetensorsErrorKind.ShapeOverflow, e.Kind);
    }

    [Theory]
    [InlineData(
        "{\"t\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},\"t\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[1,1]}}",
        "t")]
    [InlineData("{\"__metadata__\":{},\"__metadata__\":{},\"t\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", "__metadata__")]
    [InlineData("{\"t\":{\"dtype\":\"U8\",\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", "dtype")]
    [InlineData("{\"t\":{\"dtype\":\"U8\",\"shape\":[1],\"shape\":[1],\"data_offsets\":[0,1]}}", "shape")]
    [InlineData("{\"t\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],\"data_offsets\":[0,1]}}", "data_offsets")]
    [InlineData("{\"__metadata__\":{\"k\":\"a\",\"k\":\"b\"},\"t\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", "k")]
    [InlineData(
        "{\"t\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},\"\\u0074\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[1,"
            + "1]}}", "t")]
    public void Duplicate_key_at_any_level_is_DuplicateKey(string json, string key)
    {
        var e = Fails(json, 1);
        Assert.Equal(SafetensorsErrorKind.DuplicateKey, e.Kind);
        Assert.Equal(key, e.OffendingValue);
    }

    [Theory]
    [InlineData("{\"__metadata__\":[]}")]
    [InlineData("{\"__metadata__\":\"x\"}")]
    [InlineData("{\"__metadata__\":null}")]
    [InlineData("{\"__metadata__\":{\"k\":1}}")]
    [InlineData("{\"__metadata__\":{\"k\":null}}")]
    [InlineData("{\"__metadata__\":{\"k\":{}}}")]
    [InlineData("{\"__metadata__\":{\"k\":[\"v\"]}}")]
    public void Metadata_that_is_not_string_to_string_is_InvalidMetadata(string json) =>
        Assert.Equal(SafetensorsErrorKind.InvalidMetadata, Fails(json, 0).Kind);

    [Fact]
    public void Metadata_is_read_with_escapes_and_unicode()
    {
        var header = Parse("{\"__metadata__\":{\"format\":\"pt\",\"q\\\"\\\\\":\"\\u00e9\\n\",\"\":\"\"}}", 0);
        Assert.Equal(3, header.Metadata.Count);
        Assert.Equal("pt", header.Metadata["format"]);
        Assert.Equal("é\n", header.Metadata["q\"\\"]);
        Assert.Equal(string.Empty, header.Metadata[string.Empty]);
    }

    [Theory]
    [InlineData("{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[1,3]}}", 3, "a")]
    [InlineData(
        "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[3,5]}}", 5,
        "b")]
    [InlineData(
        "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[1,3]}}", 3,
        "b")]
    [InlineData(
        "{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}", 4,
        "a")]
    [InlineData("{\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[2,0]}}", 0, "a")]
    [InlineData("{\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[9223372036854775808,9223372036854775808]}}", 0, "a")]
    public void Offsets_that_do_not_tile_the_buffer_are_InvalidOffsets(string json, int dataLength, string tensor)
    {
        var e = Fails(json, dataLength);
        Assert.Equal(SafetensorsErrorKind.InvalidOffsets, e.Kind);
        Assert.Equal(tensor, e.TensorName);
        Assert.Equal(FakePath, e.Path);
    }

    [Fact]
    public void Offsets_listed_out_of_order_are_sorted()
    {
        var header = Parse(
            "{\"b\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[2,5]},\"a\":{\"dtype\":\"U16\",\"shape\":[1],\"data_offsets\":[0,"
                + "2]}}", 5);
        Assert.Equal(["a", "b"], header.Tensors.Select(t => t.Name));
        Assert.Equal(header.DataStart, header.Tensors[0].DataOffset);
        Assert.Equal(header.DataStart + 2, header.Tensors[1].DataOffset);
    }

    [Theory]
    [InlineData("[4294967296,4294967296]", "U8")]
    [InlineData("[9223372036854775807,2]", "U8")]
    [InlineData("[9223372036854775808]", "U8")]
    [InlineData("[2305843009213693952]", "F32")]
    [InlineData("[1152921504606846976,8]", "F64")]
    public void Shape_whose_size_overflows_64_bits_is_ShapeOverflow(string shape, string dtype)
    {
        var e = Fails("{\"t\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[0,16]}}", 16);
        Assert.Equal(SafetensorsErrorKind.ShapeOverflow, e.Kind);
        Assert.Equal("t", e.TensorName);
    }

    [Fact]
    public void Shape_with_a_zero_dimension_does_not_overflow_with_huge_others()
    {
        var header = Parse("{\"t\":{\"dtype\":\"F32\",\"shape\":[0,9223372036854775807],\"data_offsets\":[0,0]}}", 0);
        Assert.Equal(0, header.Tensors[0].ElementCount);
    }

    [Theory]
    [InlineData("F32", "[2,3]", "[0,10]", 10)]
    [InlineData("U8", "[]", "[0,2]", 2)]
    [InlineData("BF16", "[4]", "[0,4]", 4)]
    [InlineData("F4", "[3]", "[0,2]", 2)]
    [InlineData("F4", "[3]", "[0,1]", 1)]
    [InlineData("F6_E2M3", "[2]", "[0,2]", 2)]
    [InlineData("F6_E3M2", "[5]", "[0,4]", 4)]
    public void Shape_size_different_from_the_byte_range_is_SizeMismatch(string dtype, string shape, string offsets, int dataLength)
    {
        var e = Fails("{\"a.weight\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}", dataLength);
        Assert.Equal(SafetensorsErrorKind.SizeMismatch, e.Kind);
        Assert.Equal("a.weight", e.TensorName);
    }

    [Fact]
    public void Size_mismatch_message_names_path_tensor_offsets_shape_and_kind()
    {
        var e = Fails("{\"a.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,10]}}", 10);
        Assert.Equal(
            "'/x/model.safetensors': tensor 'a.weight': data_offsets [0, 10] hold 10 bytes but shape [2, 3] of F32 needs 24 (SizeMismatch)",
            e.Message);
    }

    [Fact]
    public void Data_after_the_last_tensor_is_TrailingBytes()
    {
        var e = Fails("{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}", 3);
        Assert.Equal(SafetensorsErrorKind.TrailingBytes, e.Kind);
        Assert.Equal(SafetensorsErrorKind.TrailingBytes, Fails("{}", 1).Kind);
    }

    [Fact]
    public void Last_tensor_beyond_the_file_is_TruncatedFile()
    {
        var e = Fails("{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]}}", 3);
        Assert.Equal(SafetensorsErrorKind.TruncatedFile, e.Kind);
        Assert.Equal("a", e.TensorName);
    }

    [Fact]
    public void Zero_size_tensors_are_accepted_anywhere_in_the_tiling()
    {
        var header = Parse(
            "{\"z0\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,"
                + "2]},"
            + "\"z1\":{\"dtype\":\"F16\",\"shape\":[3,0],\"data_offsets\":[2,2]},\"z2\":{\"dtype\":\"I8\",\"shape\":[0],"
                + "\"data_offsets\":[2,2]}}",
            2);
        Assert.Equal(["z0", "a", "z1", "z2"], header.Tensors.Select(t => t.Name));
        Assert.Equal([3L, 0L], header.Find("z1")!.Shape);
        Assert.Equal(0, header.Find("z1")!.ByteLength);
    }

    [Fact]
    public void Scalar_tensor_with_empty_shape_holds_one_element()
    {
        var header = Parse("{\"s\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[0,8]}}", 8);
        var s = header.Find("s")!;
        Assert.Empty(s.Shape);
        Assert.Equal(1, s.ElementCount);
        Assert.Equal(8, s.ByteLength);
    }

    [Theory]
    [InlineData("BOOL", 8)]
    [InlineData("F4", 4)]
    [InlineData("F6_E2M3", 6)]
    [InlineData("F6_E3M2", 6)]
    [InlineData("U8", 8)]
    [InlineData("I8", 8)]
    [InlineData("F8_E5M2", 8)]
    [InlineData("F8_E4M3", 8)]
    [InlineData("F8_E8M0", 8)]
    [InlineData("F8_E4M3FNUZ", 8)]
    [InlineData("F8_E5M2FNUZ", 8)]
    [InlineData("I16", 16)]
    [InlineData("U16", 16)]
    [InlineData("F16", 16)]
    [InlineData("BF16", 16)]
    [InlineData("I32", 32)]
    [InlineData("U32", 32)]
    [InlineData("F32", 32)]
    [InlineData("C64", 64)]
    [InlineData("F64", 64)]
    [InlineData("I64", 64)]
    [InlineData("U64", 64)]
    public void Every_dtype_has_its_bit_size(string dtype, int bits)
    {
        // 8 elements of b bits take exactly b bytes.
        var header = Parse("{\"t\":{\"dtype\":\"" + dtype + "\",\"shape\":[2,4],\"data_offsets\":[0," + bits + "]}}", bits);
        var t = header.Find("t")!;
        Assert.Equal(Enum.Parse<SafetensorsDType>(dtype), t.DType);
        Assert.Equal(8, t.ElementCount);
        Assert.Equal(bits, t.ByteLength);
        Assert.Equal(FakePath, t.Path);
    }

    [Fact]
    public void Every_dtype_of_the_design_is_known()
    {
        string[] design = ["BOOL", "F4", "F6_E2M3", "F6_E3M2", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ",
            "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "C64", "F64", "I64", "U64"];
        Assert.Equal(design.Order(StringComparer.Ordinal), Enum.GetNames<SafetensorsDType>().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Read_gives_absolute_offsets_and_full_path()
    {
        using var dir = new TempDirectory();
        string json = "{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        var path = SafetensorsBytes.Write(dir.File("m.safetensors"), json, 12);
        var header = SafetensorsHeader.Read(Path.GetRelativePath(Environment.CurrentDirectory, path));
        Assert.Equal(path, header.Path);
        Assert.Equal(8 + json.Length + 12, header.FileLength);
        Assert.Equal(json.Length, header.HeaderLength);
        Assert.Equal(8 + json.Length, header.DataStart);
        Assert.Equal(8 + json.Length + 8, header.Find("b")!.DataOffset);
        Assert.Equal("pt", header.Metadata["format"]);
    }

    [Fact]
    public void Errors_report_the_first_broken_rule_in_design_order()
    {
        // Breaks tiling (hole), size (shape) and trailing bytes at once: tiling is checked first.
        var e = Fails("{\"a\":{\"dtype\":\"U8\",\"shape\":[9],\"data_offsets\":[1,3]}}", 10);
        Assert.Equal(SafetensorsErrorKind.InvalidOffsets, e.Kind);

        // Breaks size and trailing bytes: size first.
        Assert.Equal(SafetensorsErrorKind.SizeMismatch, Fails("{\"a\":{\"dtype\":\"U8\",\"shape\":[9],\"data_offsets\":[0,3]}}", 10).Kind);
    }
}

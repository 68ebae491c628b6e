using System.Text;
using Mxfp4.Core.Safetensors;
using Xunit;

namespace Mxfp4.Core.Tests.Safetensors;

/// <summary>The parser's allocations follow the header's length, never a size the header claims.</summary>
public sealed class AllocationTests
{
    private const long Budget = 256 * 1024;

    [Theory]
    [InlineData("{\"t\":{\"dtype\":\"U8\",\"shape\":[1152921504606846976],\"data_offsets\":[0,1152921504606846976]}}",
        SafetensorsErrorKind.TruncatedFile)]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[1073741824,1073741824],\"data_offsets\":[0,16]}}",
        SafetensorsErrorKind.ShapeOverflow)]
    [InlineData("{\"t\":{\"dtype\":\"F64\",\"shape\":[72057594037927936],\"data_offsets\":[0,576460752303423488]}}",
        SafetensorsErrorKind.TruncatedFile)]
    public void Huge_claims_fail_fast_with_small_allocations(string json, SafetensorsErrorKind kind)
    {
        var bytes = Encoding.UTF8.GetBytes(json);

        // Warm up once so that type loading and JIT do not count.
        Assert.Throws<SafetensorsFormatException>(() => SafetensorsHeader.Parse(bytes, 8 + bytes.Length + 16, "/x.safetensors"));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsHeader.Parse(bytes, 8 + bytes.Length + 16, "/x.safetensors"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(kind, e.Kind);
        Assert.True(allocated < Budget, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Header_claiming_a_huge_header_length_allocates_nothing_of_it()
    {
        using var dir = new TempDirectory();
        var path = dir.File("claims.safetensors");
        File.WriteAllBytes(path, [0x00, 0xE1, 0xF5, 0x05, 0, 0, 0, 0, (byte)'{', (byte)'}']);
        Assert.Throws<SafetensorsFormatException>(() => SafetensorsHeader.Read(path));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsHeader.Read(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(SafetensorsErrorKind.InvalidHeaderLength, e.Kind);
        Assert.True(allocated < Budget, $"allocated {allocated} bytes");
    }
}

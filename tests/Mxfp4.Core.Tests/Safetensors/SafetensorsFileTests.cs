using Mxfp4.Core.Safetensors;
using Xunit;

namespace Mxfp4.Core.Tests.Safetensors;

public sealed class SafetensorsFileTests : IDisposable
{
    private const string Json = "{\"a\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[0,3]},\"b\":{\"dtype\":\"U16\",\"shape\":[2],"
        + "\"data_offsets\":[3,7]}}";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Tensor_windows_are_the_bytes_at_the_tensor_offsets()
    {
        var raw = SafetensorsBytes.Build(Json, 7);
        var path = _dir.File("f.safetensors");
        File.WriteAllBytes(path, raw);
        using var file = SafetensorsFile.Open(path);
        var b = file.Header.Find("b")!;
        int dataStart = 8 + Json.Length;
        Assert.Equal(dataStart + 3, b.DataOffset);
        Assert.Equal(raw.AsSpan(dataStart + 3, 4).ToArray(), file.Map.GetSpan(b.DataOffset, 4).ToArray());
        Assert.Equal(raw.AsSpan(dataStart + 4, 2).ToArray(), file.Map.GetSpan(b.DataOffset + 1, 2).ToArray());
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(0, -1)]
    [InlineData(1, 0)]
    public void Windows_outside_the_file_are_refused(long beyondEnd, int length)
    {
        var path = SafetensorsBytes.Write(_dir.File("f.safetensors"), Json, 7);
        using var file = SafetensorsFile.Open(path);
        long offset = beyondEnd < 0 ? beyondEnd : file.Map.Length + beyondEnd;
        Assert.Throws<ArgumentOutOfRangeException>(() => file.Map.GetSpan(offset, length).Length);
    }

    [Fact]
    public void Truncation_after_open_is_reported_not_crashed_on()
    {
        var path = SafetensorsBytes.Write(_dir.File("f.safetensors"), Json, 7);
        using var file = SafetensorsFile.Open(path);
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            stream.SetLength(stream.Length - 2);
        }

        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.CheckLength(file.Header, new FileInfo(path).Length));
        Assert.Equal(SafetensorsErrorKind.TruncatedFile, e.Kind);
        Assert.Equal(path, e.Path);
    }

    [Fact]
    public void Invalid_file_does_not_open()
    {
        var path = SafetensorsBytes.Write(_dir.File("f.safetensors"), Json, 8);
        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path));
        Assert.Equal(SafetensorsErrorKind.TrailingBytes, e.Kind);
    }
}

using System.Text;
using Mxfp4.Core.Conversion;
using Mxfp4.Core.FileSystem;
using Mxfp4.Core.Tests.Safetensors;
using Xunit;

namespace Mxfp4.Core.Tests.FileSystem;

public sealed class TemporaryNameTests
{
    private const int NameLimit = 255;

    [Theory]
    [InlineData("model.safetensors", 1)]
    [InlineData("n", 255)]
    [InlineData("é", 127)]
    [InlineData("€", 85)]
    [InlineData("𝄞", 63)]
    public void Temporary_names_fit_255_bytes_and_keep_whole_characters(string unit, int repeat)
    {
        string finalName = string.Concat(Enumerable.Repeat(unit, repeat));
        string temporary = Path.GetFileName(TemporaryName.For(Path.Combine("/some/dir", finalName)));

        Assert.True(Encoding.UTF8.GetByteCount(temporary) <= NameLimit, $"{Encoding.UTF8.GetByteCount(temporary)} bytes");
        Assert.StartsWith(".", temporary, StringComparison.Ordinal);
        Assert.EndsWith(TemporaryName.Suffix, temporary, StringComparison.Ordinal);
        Assert.DoesNotContain('\uFFFD', Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(temporary)));
        Assert.True(temporary.EnumerateRunes().All(r => r != Rune.ReplacementChar));
    }

    [Fact]
    public void A_short_name_is_kept_whole()
    {
        string temporary = Path.GetFileName(TemporaryName.For("/d/model-00001-of-00002.safetensors"));
        Assert.Matches(@"^\.model-00001-of-00002\.safetensors\.[0-9a-f]{8}\.mxfp4-partial$", temporary);
    }

    [Fact]
    public void Partials_are_found_for_the_planned_names_only()
    {
        using var temp = new TempDirectory();
        string longName = new string('n', 250);
        string ours = TemporaryName.For(temp.File("model.safetensors"));
        string oursLong = TemporaryName.For(temp.File(longName));
        string other = TemporaryName.For(temp.File("other.safetensors"));
        foreach (var path in new[] { ours, oursLong, other, temp.File("model.safetensors") })
        {
            File.WriteAllText(path, "x");
        }

        Assert.Equal(new[] { ours, oursLong }.Order(StringComparer.Ordinal),
            TemporaryName.FindPartials(temp.Path, ["model.safetensors", longName]));
    }
}

using Mxfp4.Core.Verification;
using Xunit;

namespace Mxfp4.Core.Tests.Verification;

public sealed class Sha256ManifestTests
{
    private const string A = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    private const string B = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";

    [Fact]
    public void Reads_text_and_binary_mode_lines_and_dot_slash_names()
    {
        var manifest = Sha256Manifest.Parse($"{A}  model-00001.safetensors\n{B} *./sub/model-00002.safetensors\r\n\n", "m");
        Assert.Equal(2, manifest.Count);
        Assert.Equal(A, manifest.Find("model-00001.safetensors"));
        Assert.Equal(B.ToLowerInvariant(), manifest.Find("sub/model-00002.safetensors"));
        Assert.Null(manifest.Find("other.safetensors"));
    }

    [Fact]
    public void Unescapes_names_as_sha256sum_escapes_them()
    {
        var manifest = Sha256Manifest.Parse($"\\{A}  a\\\\nb\\nc\n", "m");
        Assert.Equal(A, manifest.Find("a\\nb\nc"));
    }

    [Theory]
    [InlineData("not a manifest")]
    [InlineData("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a  short-hash")]
    [InlineData("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad-x")]
    [InlineData("ga7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  bad-digit")]
    public void Rejects_malformed_lines_as_InvalidManifest(string line)
    {
        var error = Assert.Throws<Mxfp4Exception>(() => Sha256Manifest.Parse(line, "m"));
        Assert.Equal("InvalidManifest", error.ErrorId);
        Assert.Contains("line 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_name_listed_twice()
        => Assert.Equal("InvalidManifest", Assert.Throws<Mxfp4Exception>(() => Sha256Manifest.Parse($"{A}  x\n{B}  ./x\n", "m")).ErrorId);
}

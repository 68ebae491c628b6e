using System.Diagnostics;
using Mxfp4.Core.Conversion;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;
using Mxfp4.Core.Tests.Safetensors;
using Xunit;

namespace Mxfp4.Core.Tests.Tensors;

/// <summary>
/// A file changed between the moment its tensors were listed (or it was opened) and a read, on both paths that read
/// listed tensors: the cmdlets' TensorReader and the converter's ShardInput. Both report SourceChanged through the
/// one <see cref="SourceCheck"/>, whose message starts the same way.
/// </summary>
public sealed class SourceCheckTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _path;

    public SourceCheckTests()
    {
        _path = _temp.File("model.safetensors");
        WriteFile(paddingBytes: 8);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void TensorReader_opens_a_file_as_listed_and_reads_its_bytes()
    {
        var listed = Listed();

        using var reader = TensorReader.Open(listed);
        var bytes = new byte[8];
        reader.Source.Decode(0, 2, bytes, OutputFormat.F32);

        Assert.Equal(Weights(), bytes);
    }

    [Fact]
    public void TensorReader_on_a_file_rewritten_after_listing_gives_SourceChanged()
    {
        var listed = Listed();
        WriteFile(paddingBytes: 16);

        var error = Assert.Throws<Mxfp4Exception>(() => TensorReader.Open(listed));

        Assert.Equal(ErrorIds.SourceChanged, error.ErrorId);
        Assert.Equal("weight", error.Target);
        Assert.StartsWith(
            $"'{_path}' changed since it was listed: it no longer holds tensor 'weight'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShardInput_reads_a_file_as_listed()
    {
        using var checkpoint = Checkpoint.Open(_path);
        using var input = new ShardInput(checkpoint);
        var listed = checkpoint.Find("weight")!;
        var bytes = new byte[8];

        input.Read(listed, listed.DataOffset, bytes);
        input.CheckUnchanged("weight");

        Assert.Equal(Weights(), bytes);
    }

    [Fact]
    public void ShardInput_on_a_file_rewritten_after_listing_gives_SourceChanged()
    {
        using var checkpoint = Checkpoint.Open(_path);
        using var input = new ShardInput(checkpoint);
        var listed = checkpoint.Find("weight")!;
        WriteFile(paddingBytes: 16);

        var error = Assert.Throws<Mxfp4Exception>(() => input.Read(listed, listed.DataOffset, new byte[8]));

        Assert.Equal(ErrorIds.SourceChanged, error.ErrorId);
        Assert.Equal(_path, error.Target);
        Assert.StartsWith($"'{_path}' changed since it was listed: it was ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShardInput_on_a_file_grown_between_open_and_read_gives_SourceChanged()
    {
        using var checkpoint = Checkpoint.Open(_path);
        using var input = new ShardInput(checkpoint);
        var listed = checkpoint.Find("weight")!;
        input.Read(listed, listed.DataOffset, new byte[4]);
        using (var file = new FileStream(_path, FileMode.Append, FileAccess.Write))
        {
            file.Write(new byte[64]);
        }

        var error = Assert.Throws<Mxfp4Exception>(() => input.CheckUnchanged("weight"));

        Assert.Equal(ErrorIds.SourceChanged, error.ErrorId);
        Assert.StartsWith($"'{_path}' changed since it was listed: it was ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShardInput_on_a_file_rewritten_in_place_between_open_and_read_gives_SourceChanged()
    {
        using var checkpoint = Checkpoint.Open(_path);
        using var input = new ShardInput(checkpoint);
        var listed = checkpoint.Find("weight")!;
        input.Read(listed, listed.DataOffset, new byte[4]);

        // Same length, a new modification time, as an in-place rewrite leaves it.
        File.SetLastWriteTimeUtc(_path, File.GetLastWriteTimeUtc(_path).AddHours(1));

        var error = Assert.Throws<Mxfp4Exception>(() => input.CheckUnchanged("weight"));
        Assert.Equal(ErrorIds.SourceChanged, error.ErrorId);
    }

    [Fact]
    public void ShardInput_on_a_file_truncated_between_open_and_read_gives_SourceChanged()
    {
        using var checkpoint = Checkpoint.Open(_path);
        using var input = new ShardInput(checkpoint);
        var listed = checkpoint.Find("weight")!;
        input.Read(listed, listed.DataOffset, new byte[4]);

        // Another process truncates, as in life: .NET's advisory locks would refuse a writer in this process.
        string length = listed.DataOffset.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using (var truncate = Process.Start("truncate", ["-s", length, _path]))
        {
            truncate.WaitForExit();
        }

        var error = Assert.Throws<Mxfp4Exception>(() => input.Read(listed, listed.DataOffset, new byte[8]));
        Assert.Equal(ErrorIds.SourceChanged, error.ErrorId);
        Assert.StartsWith($"'{_path}' changed since it was listed: it ends before byte", error.Message, StringComparison.Ordinal);
    }

    private static byte[] Weights() => [.. BitConverter.GetBytes(1.5f), .. BitConverter.GetBytes(-2f)];

    private TensorInfo Listed() => SafetensorsHeader.Read(_path).Find("weight")!;

    /// <summary>A file whose tensor <c>weight</c> (F32 [2]) sits behind <paramref name="paddingBytes"/> of padding.</summary>
    private void WriteFile(int paddingBytes) => SafetensorsWriter.WriteFile(_path,
    [
        (new TensorSpec("padding", SafetensorsDType.U8, [paddingBytes]), new byte[paddingBytes]),
        (new TensorSpec("weight", SafetensorsDType.F32, [2]), Weights()),
    ]);
}

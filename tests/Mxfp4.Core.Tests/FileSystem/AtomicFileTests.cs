using Mxfp4.Core.Conversion;
using Mxfp4.Core.FileSystem;
using Mxfp4.Core.Tests.Safetensors;
using Xunit;

namespace Mxfp4.Core.Tests.FileSystem;

public sealed class AtomicFileTests
{
    [Fact]
    public void Commit_renames_the_temporary_file_into_place()
    {
        using var temp = new TempDirectory();
        string path = temp.File("a.bin");
        using var file = AtomicFile.Create(path, overwrite: false);
        file.Stream.Write([1, 2, 3]);

        Assert.False(File.Exists(path));
        Assert.True(File.Exists(file.TemporaryPath));
        Assert.EndsWith(AtomicFile.TemporarySuffix, file.TemporaryPath, StringComparison.Ordinal);
        Assert.Equal(temp.Path, Path.GetDirectoryName(file.TemporaryPath));

        file.Commit();
        file.Dispose();

        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void Dispose_without_commit_deletes_the_temporary_file()
    {
        using var temp = new TempDirectory();
        string path = temp.File("a.bin");
        var file = AtomicFile.Create(path, overwrite: false, preallocate: 1 << 20);
        file.Stream.Write(new byte[1000]);

        file.Dispose();

        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
        Assert.Throws<ObjectDisposedException>(() => file.Stream);
    }

    [Fact]
    public void An_existing_file_is_refused_without_overwrite_before_anything_is_written()
    {
        using var temp = new TempDirectory();
        string path = temp.File("a.bin");
        File.WriteAllText(path, "old");

        var error = Assert.Throws<OutputExistsException>(() => AtomicFile.Create(path, overwrite: false));

        Assert.Equal("OutputExists", error.ErrorId);
        Assert.Equal(Mxfp4ErrorCategory.ResourceExists, error.Category);
        Assert.Equal(path, error.Path);
        Assert.Equal([path], Directory.GetFiles(temp.Path));
        Assert.Equal("old", File.ReadAllText(path));
    }

    [Fact]
    public void Overwrite_keeps_the_old_file_until_commit_then_replaces_it()
    {
        using var temp = new TempDirectory();
        string path = temp.File("a.bin");
        File.WriteAllText(path, "old");
        using var file = AtomicFile.Create(path, overwrite: true);
        file.Stream.Write("new"u8);

        Assert.Equal("old", File.ReadAllText(path));
        file.Commit();

        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void A_file_that_appears_while_writing_is_not_replaced_without_overwrite()
    {
        using var temp = new TempDirectory();
        string path = temp.File("a.bin");
        using var file = AtomicFile.Create(path, overwrite: false);
        file.Stream.Write("new"u8);
        File.WriteAllText(path, "someone else's");

        var error = Assert.Throws<OutputExistsException>(file.Commit);

        Assert.Equal("OutputExists", error.ErrorId);
        Assert.Equal("someone else's", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void Complete_closes_the_temporary_file_and_Commit_then_only_renames()
    {
        using var temp = new TempDirectory();
        string path = temp.File("a.bin");
        using var file = AtomicFile.Create(path, overwrite: false);
        file.Stream.Write([7]);

        file.Complete();

        Assert.Throws<ObjectDisposedException>(() => file.Stream);
        Assert.False(File.Exists(path));
        Assert.Equal(new byte[] { 7 }, File.ReadAllBytes(file.TemporaryPath));
        file.Commit();
        Assert.Equal(new byte[] { 7 }, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void Complete_refuses_a_file_that_appeared_and_deletes_the_temporary_file()
    {
        using var temp = new TempDirectory();
        string path = temp.File("a.bin");
        using var file = AtomicFile.Create(path, overwrite: false);
        File.WriteAllText(path, "someone else's");

        Assert.Equal("OutputExists", Assert.Throws<OutputExistsException>(file.Complete).ErrorId);

        Assert.Equal([path], Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void A_missing_directory_is_OutputWriteFailed()
    {
        using var temp = new TempDirectory();

        var error = Assert.Throws<OutputWriteException>(() => AtomicFile.Create(temp.File("missing/a.bin"), overwrite: false));

        Assert.Equal("OutputWriteFailed", error.ErrorId);
        Assert.Equal(temp.File("missing/a.bin"), error.Path);
    }
}

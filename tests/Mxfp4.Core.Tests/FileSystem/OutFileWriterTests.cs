using System.Text;
using Mxfp4.Core.Conversion;
using Mxfp4.Core.FileSystem;
using Mxfp4.Core.Tests.Safetensors;
using Xunit;

namespace Mxfp4.Core.Tests.FileSystem;

/// <summary>Rule 3 for output: a device or FIFO is written into and never replaced; a link is followed; other kinds are refused.</summary>
public sealed class OutFileWriterTests : IDisposable
{
    private static readonly byte[] Payload = Encoding.ASCII.GetBytes("dequantized bytes");

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static void WriteAndCommit(string path, bool overwrite)
    {
        using var writer = OutFileWriter.Create(path, overwrite);
        writer.Stream.Write(Payload);
        writer.Commit();
    }

    [RootFact]
    public void A_private_null_device_is_written_into_without_Force_and_stays_a_device()
    {
        string device = SpecialFiles.MakeCharacterDevice(_temp.File("null"), 1, 3);

        WriteAndCommit(device, overwrite: false);

        Assert.True(SpecialFiles.IsCharacterDevice(device));
        Assert.Equal([device], Directory.GetFileSystemEntries(_temp.Path));
    }

    [LinuxFact]
    public void A_FIFO_with_a_reader_receives_the_bytes_and_stays_a_FIFO()
    {
        string fifo = SpecialFiles.MakeFifo(_temp.File("pipe"));
        var reader = Task.Factory.StartNew(() => File.ReadAllBytes(fifo), CancellationToken.None, TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        // The reader's open waits for a writer; the writer's open must find the reader, so retry until it is there.
        SpecialFiles.WithinSeconds(10, () =>
        {
            while (true)
            {
                try
                {
                    WriteAndCommit(fifo, overwrite: false);
                    return true;
                }
                catch (OutputWriteException)
                {
                    Thread.Sleep(20);
                }
            }
        });

        Assert.True(reader.Wait(TimeSpan.FromSeconds(10)));
        Assert.Equal(Payload, reader.Result);
        Assert.True(SpecialFiles.IsFifo(fifo));
        Assert.Equal([fifo], Directory.GetFileSystemEntries(_temp.Path));
    }

    [LinuxFact]
    public void A_FIFO_nobody_reads_is_an_error_at_once_not_a_hang()
    {
        string fifo = SpecialFiles.MakeFifo(_temp.File("pipe"));

        var error = Assert.Throws<OutputWriteException>(()
            => SpecialFiles.WithinSeconds(10, () => OutFileWriter.Create(fifo, overwrite: false)));

        Assert.Contains("no process reads", error.Message);
        Assert.True(SpecialFiles.IsFifo(fifo));
    }

    [Fact]
    public void A_link_to_a_regular_file_is_followed_the_link_kept_and_the_target_replaced()
    {
        string target = _temp.File("real.bin");
        File.WriteAllText(target, "old");
        string link = _temp.File("link.bin");
        File.CreateSymbolicLink(link, target);

        Assert.Throws<OutputExistsException>(() => OutFileWriter.Create(link, overwrite: false));
        WriteAndCommit(link, overwrite: true);

        Assert.Equal(target, new FileInfo(link).LinkTarget);
        Assert.Equal(Payload, File.ReadAllBytes(target));
        Assert.Equal(2, Directory.GetFileSystemEntries(_temp.Path).Length);
    }

    [Fact]
    public void A_dangling_link_creates_the_file_it_names_and_stays_a_link()
    {
        string target = _temp.File("later.bin");
        string link = _temp.File("link.bin");
        File.CreateSymbolicLink(link, target);

        WriteAndCommit(link, overwrite: false);

        Assert.Equal(target, new FileInfo(link).LinkTarget);
        Assert.Equal(Payload, File.ReadAllBytes(target));
    }

    [Fact]
    public void A_directory_is_UnsupportedFileType()
    {
        string directory = _temp.File("dir");
        Directory.CreateDirectory(directory);

        var error = Assert.Throws<UnsupportedFileTypeException>(() => OutFileWriter.Create(directory, overwrite: true));

        Assert.Equal(FileKind.Directory, error.Kind);
        Assert.Empty(Directory.GetFileSystemEntries(directory));
    }
}

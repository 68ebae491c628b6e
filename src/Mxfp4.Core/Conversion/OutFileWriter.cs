using Mxfp4.Core.FileSystem;

namespace Mxfp4.Core.Conversion;

/// <summary>
/// The one file <c>-OutFile</c> writes. A regular file (or a new name) is written atomically through
/// <see cref="AtomicFile"/>; a link is followed, so the file it leads to is replaced and the link kept. An existing
/// character device or FIFO (/dev/null, a named pipe) is written into directly — nothing is replaced, so no temporary
/// file, no rename and no -Force. Any other kind (a directory, a block device, a socket) is refused before writing.
/// </summary>
public sealed class OutFileWriter : IDisposable
{
    private readonly AtomicFile? _atomic;
    private FileStream? _device;

    private OutFileWriter(string path, AtomicFile? atomic, FileStream? device)
    {
        Path = path;
        _atomic = atomic;
        _device = device;
    }

    /// <summary>The path as the user gave it, made full.</summary>
    public string Path { get; }

    public Stream Stream => _atomic?.Stream ?? _device ?? throw new ObjectDisposedException(nameof(OutFileWriter));

    public static OutFileWriter Create(string path, bool overwrite)
    {
        string full = System.IO.Path.GetFullPath(path);
        switch (FileStatus.Of(full))
        {
            case { Kind: FileKind.CharacterDevice or FileKind.Fifo }:
                try
                {
                    return new OutFileWriter(full, null, SafeOpen.WriteDevice(full));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw new OutputWriteException(full, $"Cannot open '{full}' for writing: {ex.Message}", ex);
                }

            case { Kind: FileKind.Regular }:
                // Written where the link leads: the link stays a link, and the rename happens beside the real file.
                return new OutFileWriter(full, AtomicFile.Create(FileIdentity.RealPath(full), overwrite), null);
            case { } other:
                throw new UnsupportedFileTypeException(full, other.Kind, "; it cannot be written as an output file");
            default:
                return new OutFileWriter(full, AtomicFile.Create(DanglingLinkTarget(full) ?? full, overwrite), null);
        }
    }

    /// <summary>Where a link that leads to no file yet points, so the file is created there (as a shell's <c>&gt;</c> does) and the link
    /// kept.</summary>
    private static string? DanglingLinkTarget(string path)
    {
        if (FileStatus.Of(path, followLinks: false) is not { Kind: FileKind.SymbolicLink })
        {
            return null;
        }

        try
        {
            return new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName;
        }
        catch (IOException ex)
        {
            throw new OutputWriteException(path, $"Cannot write through the link '{path}': {ex.Message}", ex);
        }
    }

    /// <summary>Makes the output final: renames the temporary file into place, or flushes the device.</summary>
    public void Commit()
    {
        if (_atomic is not null)
        {
            _atomic.Commit();
            return;
        }

        var device = _device ?? throw new ObjectDisposedException(nameof(OutFileWriter));
        try
        {
            device.Flush();
        }
        catch (IOException ex)
        {
            throw new OutputWriteException(Path, $"Writing '{Path}' failed: {ex.Message}", ex);
        }
        finally
        {
            device.Dispose();
            _device = null;
        }
    }

    public void Dispose()
    {
        _atomic?.Dispose();
        _device?.Dispose();
        _device = null;
    }
}

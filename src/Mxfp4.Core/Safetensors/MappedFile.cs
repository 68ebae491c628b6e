using System.IO.MemoryMappedFiles;
using Mxfp4.Core.FileSystem;
using Mxfp4.Core.Interop;

namespace Mxfp4.Core.Safetensors;

/// <summary>
/// A whole file mapped read-only. Windows onto it are spans of at most <see cref="int.MaxValue"/> bytes, so files and
/// tensors beyond 4 GiB are read piecewise, never through one giant span. The file's handle stays open with the map;
/// Dispose releases both at once.
/// </summary>
public sealed unsafe class MappedFile : IDisposable
{
    private readonly FileStream _file;
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private byte* _pointer;

    private MappedFile(string path, long length, FileStream file, MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* pointer)
    {
        Path = path;
        _file = file;
        Length = length;
        _map = map;
        _view = view;
        _pointer = pointer;
    }

    public string Path { get; }

    public long Length { get; }

    public static MappedFile Open(string path, bool sequential = true)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        var stream = SafeOpen.Read(fullPath);
        long length = stream.Length;
        if (length == 0)
        {
            return new MappedFile(fullPath, 0, stream, null, null, null);
        }

        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        try
        {
            map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            pointer += view.PointerOffset;
            Advise(pointer, length, sequential);
            return new MappedFile(fullPath, length, stream, map, view, pointer);
        }
        catch
        {
            view?.Dispose();
            map?.Dispose();
            stream.Dispose();
            throw;
        }
    }

    /// <summary>A window of the file; throws when it reaches beyond the end, so a bad offset can never read stray memory.</summary>
    public ReadOnlySpan<byte> GetSpan(long offset, int length)
    {
        ObjectDisposedException.ThrowIf(_pointer == null && Length != 0, this);
        if (offset < 0 || length < 0 || offset > Length - length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset),
                $"Window [{offset}, {offset + length}) lies outside '{Path}' ({Length} bytes).");
        }

        return length == 0 ? ReadOnlySpan<byte>.Empty : new ReadOnlySpan<byte>(_pointer + offset, length);
    }

    public void Dispose()
    {
        if (_view is not null && _pointer != null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _pointer = null;
        }

        _view?.Dispose();
        _map?.Dispose();
        _file.Dispose();
    }

    private static void Advise(byte* pointer, long length, bool sequential)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // Hints only: a kernel that refuses them still maps the file correctly, so the result codes are ignored.
        // The map's base is page aligned, which madvise requires.
        _ = LibC.madvise(pointer, (nuint)length, sequential ? LibC.MADV_SEQUENTIAL : LibC.MADV_WILLNEED);
        _ = LibC.madvise(pointer, (nuint)length, LibC.MADV_HUGEPAGE);
    }
}

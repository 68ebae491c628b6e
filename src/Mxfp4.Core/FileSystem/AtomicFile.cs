using Mxfp4.Core.Conversion;

namespace Mxfp4.Core.FileSystem;

/// <summary>
/// A file written under a temporary name in its final directory and renamed into place only by
/// <see cref="Commit"/>; disposing an uncommitted one deletes the temporary file. A reader therefore sees either the
/// old file or the complete new one, never a partial write, and a failure or cancellation leaves nothing behind.
/// </summary>
public sealed class AtomicFile : IDisposable
{
    /// <summary>Marks our temporary files, so a user who finds one after a power cut knows what it is.</summary>
    public const string TemporarySuffix = TemporaryName.Suffix;

    private readonly bool _overwrite;
    private FileStream? _stream;
    private bool _completed;
    private bool _committed;

    private AtomicFile(string path, string temporaryPath, FileStream stream, bool overwrite)
    {
        Path = path;
        TemporaryPath = temporaryPath;
        _stream = stream;
        _overwrite = overwrite;
    }

    public string Path { get; }

    public string TemporaryPath { get; }

    /// <summary>The stream to write; valid until <see cref="Commit"/> or <see cref="Dispose"/>.</summary>
    public Stream Stream => _stream ?? throw new ObjectDisposedException(nameof(AtomicFile));

    /// <summary>
    /// Starts writing <paramref name="path"/>. Refuses an existing file unless <paramref name="overwrite"/>, so the
    /// caller learns before any byte is written.
    /// </summary>
    public static AtomicFile Create(string path, bool overwrite, long preallocate = 0)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (!overwrite && File.Exists(full))
        {
            throw new OutputExistsException(full, $"The file '{full}' already exists.");
        }

        string temporary = TemporaryName.For(full);
        try
        {
            var stream = TemporaryFileRegistry.Create(temporary, t => new FileStream(t, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0,
                PreallocationSize = preallocate,
            }));
            return new AtomicFile(full, temporary, stream, overwrite);
        }
        catch (IOException ex)
        {
            throw new OutputWriteException(full, $"Cannot create '{temporary}' for '{full}': {ex.Message}", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new OutputWriteException(full, $"Cannot create '{temporary}' for '{full}': {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Flushes to disk, closes the temporary file and checks that the final path may still be taken: every step of
    /// <see cref="Commit"/> that can fail, short of the rename. A caller committing several files completes them all
    /// first, so that a late disk or existence error leaves none of them in place.
    /// </summary>
    public void Complete()
    {
        if (_completed)
        {
            return;
        }

        var stream = _stream ?? throw new ObjectDisposedException(nameof(AtomicFile));
        try
        {
            stream.Flush(flushToDisk: true);
            stream.Dispose();
            _stream = null;
            ThrowIfTargetAppeared();
            _completed = true;
        }
        catch (IOException ex)
        {
            throw new OutputWriteException(Path, $"Writing '{Path}' failed: {ex.Message}", ex);
        }
        finally
        {
            if (!_completed)
            {
                DeleteTemporary();
            }
        }
    }

    /// <summary>Completes the file if that has not been done, then renames it over the final path.</summary>
    public void Commit()
    {
        try
        {
            Complete();
            ThrowIfTargetAppeared();
            File.Move(TemporaryPath, Path, overwrite: _overwrite);
            _committed = true;
            TemporaryFileRegistry.Forget(TemporaryPath);
        }
        catch (IOException ex)
        {
            throw new OutputWriteException(Path, $"Writing '{Path}' failed: {ex.Message}", ex);
        }
        finally
        {
            if (!_committed)
            {
                DeleteTemporary();
            }
        }
    }

    public void Dispose()
    {
        if (_committed)
        {
            return;
        }

        _stream?.Dispose();
        _stream = null;
        DeleteTemporary();
    }

    private void ThrowIfTargetAppeared()
    {
        if (!_overwrite && File.Exists(Path))
        {
            throw new OutputExistsException(Path, $"The file '{Path}' appeared while it was being written.");
        }
    }

    private void DeleteTemporary()
    {
        try
        {
            File.Delete(TemporaryPath);
            TemporaryFileRegistry.Forget(TemporaryPath);
        }
        catch (IOException)
        {
            // Best effort: the file is marked by its suffix; nothing else can be done about a vanished directory.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

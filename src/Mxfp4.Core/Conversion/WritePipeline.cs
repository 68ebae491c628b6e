using Microsoft.Win32.SafeHandles;
using Mxfp4.Core.Interop;

namespace Mxfp4.Core.Conversion;

/// <summary>
/// Two buffers and at most one write in flight: the caller fills <see cref="Buffer"/> (decoding, encoding, copying)
/// while the other buffer is being written, so a conversion costs about as long as writing its output, not reading or
/// decoding plus writing. Writes reach the stream in submission order; anything the caller writes directly must come
/// after <see cref="Drain"/>. On Linux, each write to a file also starts writing its pages to disk
/// (sync_file_range), so the disk works while the next buffer is filled and the flush to disk at the end waits for
/// little more than the last buffer.
/// </summary>
internal sealed class WritePipeline : IDisposable
{
    private readonly Stream _output;
    private readonly SafeFileHandle? _file;
    private byte[] _free;
    private byte[] _busy;
    private Task? _writing;
    private Action? _onWritten;

    internal WritePipeline(Stream output, byte[] first, byte[] second)
    {
        _output = output;
        _file = OperatingSystem.IsLinux() && output is FileStream file ? file.SafeFileHandle : null;
        _free = first;
        _busy = second;
    }

    /// <summary>The buffer to fill next; its first bytes are what <see cref="Submit"/> writes.</summary>
    internal byte[] Buffer => _free;

    /// <summary>Writes the first <paramref name="length"/> bytes of <see cref="Buffer"/> in the background, after the previous write has
    /// finished.</summary>
    internal void Submit(int length, Action onWritten)
    {
        Drain();
        _writing = Write(_free, length);
        _onWritten = onWritten;
        (_free, _busy) = (_busy, _free);
    }

    private async Task Write(byte[] buffer, int length)
    {
        await _output.WriteAsync(buffer.AsMemory(0, length), CancellationToken.None).ConfigureAwait(false);

        // Only a hint: a disk error still surfaces from the flush to disk that completes the file.
        if (_file is not null)
        {
            _ = LibC.sync_file_range(_file, 0, 0, LibC.SYNC_FILE_RANGE_WRITE);
        }
    }

    /// <summary>Waits for the write in flight, rethrowing its failure, then reports it.</summary>
    internal void Drain()
    {
        if (_writing is not { } writing)
        {
            return;
        }

        var onWritten = _onWritten;
        _writing = null;
        _onWritten = null;
        writing.GetAwaiter().GetResult();
        onWritten?.Invoke();
    }

    /// <summary>
    /// After another failure, lets a write in flight end before the output is deleted; its own outcome no longer
    /// matters, the first failure is the one reported.
    /// </summary>
    public void Dispose()
    {
        if (_writing is not { } writing)
        {
            return;
        }

        _writing = null;
        try
        {
            writing.Wait(CancellationToken.None);
        }
        catch (AggregateException)
        {
        }
    }
}

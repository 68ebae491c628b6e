namespace Mxfp4.Core.Conversion;

/// <summary>
/// Two buffers and at most one write in flight: the caller fills <see cref="Buffer"/> (decoding, copying) while the
/// other buffer is being written, so a conversion costs about as long as writing its output, not reading or decoding
/// plus writing. Writes reach the stream in submission order; anything the caller writes directly must come after
/// <see cref="Drain"/>.
/// </summary>
internal sealed class WritePipeline : IDisposable
{
    private readonly Stream _output;
    private byte[] _free;
    private byte[] _busy;
    private Task? _writing;
    private Action? _onWritten;

    internal WritePipeline(Stream output, byte[] first, byte[] second)
    {
        _output = output;
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
        _writing = _output.WriteAsync(_free, 0, length, CancellationToken.None);
        _onWritten = onWritten;
        (_free, _busy) = (_busy, _free);
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

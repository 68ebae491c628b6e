using System.Globalization;

namespace Mxfp4.Core.Safetensors;

/// <summary>
/// One safetensors file: its validated header and the whole file mapped read-only.
/// </summary>
/// <remarks>
/// A mapped file that another process truncates afterwards faults (SIGBUS) when the lost pages are touched, and no
/// managed check can close that race completely. <see cref="Open"/> therefore checks that the file still has the
/// length its header was validated against once the map exists, and <see cref="EnsureUnchanged"/> repeats the check
/// on demand (one fstat of the mapped file's handle), for callers about to start a long pass over the data.
/// </remarks>
public sealed class SafetensorsFile : IDisposable
{
    private SafetensorsFile(SafetensorsHeader header, MappedFile map)
    {
        Header = header;
        Map = map;
    }

    public SafetensorsHeader Header { get; }

    public MappedFile Map { get; }

    public static SafetensorsFile Open(string path)
    {
        var header = SafetensorsHeader.Read(path);
        var map = MappedFile.Open(header.Path);
        try
        {
            CheckLength(header, map.Length);
            return new SafetensorsFile(header, map);
        }
        catch
        {
            map.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A window of at most <see cref="int.MaxValue"/> bytes of one tensor's data; tensors larger than that are read
    /// through several windows.
    /// </summary>
    public ReadOnlySpan<byte> GetTensorBytes(TensorInfo tensor, long offsetInTensor, int length)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!IsSameTensor(tensor))
        {
            throw new ArgumentException($"Tensor '{tensor.Name}' does not belong to '{Header.Path}'.", nameof(tensor));
        }

        if (offsetInTensor < 0 || length < 0 || offsetInTensor > tensor.ByteLength - length)
        {
            throw new ArgumentOutOfRangeException(
                nameof(offsetInTensor),
                $"Window [{offsetInTensor}, {offsetInTensor + length}) lies outside tensor '{tensor.Name}' ({tensor.ByteLength} bytes).");
        }

        return Map.GetSpan(tensor.DataOffset + offsetInTensor, length);
    }

    /// <summary>Throws <see cref="SafetensorsFormatException"/> when the file on disk no longer has the length its header was validated against.</summary>
    public void EnsureUnchanged() => CheckLength(Header, Map.CurrentLength);

    public void Dispose() => Map.Dispose();

    internal static void CheckLength(SafetensorsHeader header, long actualLength)
    {
        if (actualLength == header.FileLength)
        {
            return;
        }

        var kind = actualLength < header.FileLength ? SafetensorsErrorKind.TruncatedFile : SafetensorsErrorKind.TrailingBytes;
        throw new SafetensorsFormatException(
            kind, header.Path, null, actualLength.ToString(CultureInfo.InvariantCulture),
            $"the file now has {actualLength} bytes but its header was validated for {header.FileLength}; it changed after it was opened");
    }

    private bool IsSameTensor(TensorInfo tensor)
    {
        // Equal by value, not only by reference: a checkpoint and this file may each have read the same header.
        var own = Header.Find(tensor.Name);
        return own is not null && own.DataOffset == tensor.DataOffset && own.ByteLength == tensor.ByteLength
            && string.Equals(own.Path, tensor.Path, StringComparison.Ordinal);
    }
}

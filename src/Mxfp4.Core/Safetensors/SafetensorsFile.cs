using System.Globalization;

namespace Mxfp4.Core.Safetensors;

/// <summary>
/// One safetensors file: its validated header and the whole file mapped read-only.
/// </summary>
/// <remarks>
/// A mapped file that another process truncates afterwards faults (SIGBUS) when the lost pages are touched, and no
/// managed check can close that race completely. <see cref="Open"/> therefore checks that the file still has the
/// length its header was validated against once the map exists.
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
}

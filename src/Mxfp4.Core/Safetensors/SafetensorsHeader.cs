using System.Buffers.Binary;
using System.Collections.ObjectModel;
using System.Globalization;

namespace Mxfp4.Core.Safetensors;

/// <summary>
/// The validated header of one safetensors file: its tensors sorted by data offset (offsets absolute in the file) and
/// its <c>__metadata__</c>. Every instance has passed all the format's rules, so its offsets and sizes can be trusted
/// against the file length it was read with.
/// </summary>
public sealed class SafetensorsHeader
{
    /// <summary>The format's own cap on the header length, which also bounds what the reader allocates.</summary>
    public const long MaxHeaderLength = 100_000_000;

    /// <summary>Size of the little-endian u64 header length that starts every file.</summary>
    public const int PrefixLength = 8;

    private static readonly IReadOnlyDictionary<string, string> NoMetadata = new ReadOnlyDictionary<string,
        string>(new Dictionary<string, string>());

    private readonly Dictionary<string, TensorInfo> _byName;

    internal SafetensorsHeader(string path, long fileLength, long headerLength, IReadOnlyList<TensorInfo> tensors,
        IReadOnlyDictionary<string, string>? metadata)
    {
        Path = path;
        FileLength = fileLength;
        HeaderLength = headerLength;
        Tensors = tensors;
        Metadata = metadata ?? NoMetadata;
        _byName = new Dictionary<string, TensorInfo>(tensors.Count, StringComparer.Ordinal);
        foreach (var tensor in tensors)
        {
            _byName.Add(tensor.Name, tensor);
        }
    }

    /// <summary>Full path of the file.</summary>
    public string Path { get; }

    /// <summary>The file length the header was validated against.</summary>
    public long FileLength { get; }

    /// <summary>N: the length of the JSON header in bytes, padding included.</summary>
    public long HeaderLength { get; }

    /// <summary>Where the data buffer starts in the file: 8 + N.</summary>
    public long DataStart => PrefixLength + HeaderLength;

    /// <summary>The tensors in data-offset order; <see cref="TensorInfo.DataOffset"/> is absolute in the file.</summary>
    public IReadOnlyList<TensorInfo> Tensors { get; }

    /// <summary>The <c>__metadata__</c> strings; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public TensorInfo? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>
    /// Reads and validates the header of <paramref name="path"/>. Reads only the first 8 + N bytes through a plain
    /// file stream; the file is neither read whole nor mapped.
    /// </summary>
    public static SafetensorsHeader Read(string path, CancellationToken cancellationToken = default)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        SafetensorsMetrics.HeaderRead(fullPath);
        using var stream = FileSystem.SafeOpen.Read(fullPath);
        long fileLength = stream.Length;
        Span<byte> prefix = stackalloc byte[PrefixLength];
        int prefixRead = stream.ReadAtLeast(prefix, PrefixLength, throwOnEndOfStream: false);
        long headerLength = ReadHeaderLength(prefix[..prefixRead], fileLength, fullPath);

        var json = new byte[headerLength];
        int jsonRead = stream.ReadAtLeast(json, json.Length, throwOnEndOfStream: false);
        if (jsonRead != json.Length)
        {
            // The file shrank between the length query and the read.
            throw new SafetensorsFormatException(
                SafetensorsErrorKind.InvalidHeaderLength, fullPath, null, headerLength.ToString(CultureInfo.InvariantCulture),
                $"the header claims {headerLength} bytes but the file ended after {PrefixLength + jsonRead}");
        }

        return Parse(json, fileLength, fullPath, cancellationToken);
    }

    /// <summary>
    /// Checks the 8-byte prefix of a file of <paramref name="fileLength"/> bytes and returns N, the header length.
    /// <paramref name="prefix"/> holds the file's first bytes (fewer than 8 only when the file is that short).
    /// </summary>
    public static long ReadHeaderLength(ReadOnlySpan<byte> prefix, long fileLength, string path)
    {
        if (fileLength < PrefixLength || prefix.Length < PrefixLength)
        {
            throw new SafetensorsFormatException(
                SafetensorsErrorKind.FileTooSmall, path, null, fileLength.ToString(CultureInfo.InvariantCulture),
                $"the file has {Plural.Of(fileLength, "byte", "bytes")}, fewer than the 8-byte header length prefix");
        }

        ulong claimed = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        string claimedText = claimed.ToString(CultureInfo.InvariantCulture);
        if (claimed > MaxHeaderLength)
        {
            throw new SafetensorsFormatException(
                SafetensorsErrorKind.HeaderTooLarge, path, null, claimedText,
                $"the header length prefix claims {claimedText} bytes, more than the format's limit of {MaxHeaderLength}");
        }

        long headerLength = (long)claimed;
        if (headerLength > fileLength - PrefixLength)
        {
            throw new SafetensorsFormatException(
                SafetensorsErrorKind.InvalidHeaderLength, path, null, claimedText,
                $"the header length prefix claims {claimedText} bytes but the file has only {fileLength - PrefixLength} after the prefix");
        }

        return headerLength;
    }

    /// <summary>
    /// Validates the JSON part of a header (the N bytes after the prefix) for a file of <paramref name="fileLength"/>
    /// bytes. Allocates in proportion to the JSON only, never to sizes or counts it claims.
    /// </summary>
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> headerJson, long fileLength, string path,
        CancellationToken cancellationToken = default)
    {
        long headerLength = headerJson.Length;
        if (headerLength > MaxHeaderLength)
        {
            throw new SafetensorsFormatException(
                SafetensorsErrorKind.HeaderTooLarge, path, null, headerLength.ToString(CultureInfo.InvariantCulture),
                $"the header has {headerLength} bytes, more than the format's limit of {MaxHeaderLength}");
        }

        if (headerLength > fileLength - PrefixLength)
        {
            throw new SafetensorsFormatException(
                SafetensorsErrorKind.InvalidHeaderLength, path, null, headerLength.ToString(CultureInfo.InvariantCulture),
                $"a {headerLength}-byte header does not fit a {fileLength}-byte file");
        }

        var parsed = SafetensorsHeaderParser.Parse(headerJson, path, cancellationToken);
        var tensors = SafetensorsLayoutValidator.Validate(parsed.Entries, PrefixLength + headerLength, fileLength, path, cancellationToken);
        return new SafetensorsHeader(path, fileLength, headerLength, tensors, parsed.Metadata);
    }
}

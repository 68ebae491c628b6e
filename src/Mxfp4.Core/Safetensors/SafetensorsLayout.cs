using System.Buffers;
using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Mxfp4.Core.Safetensors;

/// <summary>
/// Where every tensor of a file to be written goes, and the header bytes that say so. Tensors are laid out
/// back to back in the given order; the header is compact JSON with <c>__metadata__</c> first, padded with spaces so
/// that the data buffer starts at a multiple of 8 (as the reference writers do), which keeps every tensor as aligned
/// as its offset allows.
/// </summary>
public sealed class SafetensorsLayout
{
    private const int DataAlignment = 8;

    private SafetensorsLayout(byte[] prefix, IReadOnlyList<(TensorSpec Spec, long Begin, long End)> entries, long dataLength)
    {
        Prefix = prefix;
        Entries = entries;
        FileLength = checked(prefix.LongLength + dataLength);
    }

    /// <summary>The 8-byte little-endian header length followed by the header: everything before the data buffer.</summary>
#pragma warning disable CA1819 // the bytes are written as they are; a copy per access would be waste
    public byte[] Prefix { get; }
#pragma warning restore CA1819

    /// <summary>8 + N: where the data buffer starts; always a multiple of 8.</summary>
    public long DataStart => Prefix.LongLength;

    public long FileLength { get; }

    /// <summary>Each tensor with its [Begin, End) offsets relative to the data buffer, in file order.</summary>
    public IReadOnlyList<(TensorSpec Spec, long Begin, long End)> Entries { get; }

    public static SafetensorsLayout Create(IReadOnlyList<TensorSpec> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var entries = new (TensorSpec Spec, long Begin, long End)[tensors.Count];
        long offset = 0;
        for (int i = 0; i < tensors.Count; i++)
        {
            var spec = tensors[i] ?? throw new ArgumentException($"Tensor {i} is null.", nameof(tensors));
            if (spec.Name == "__metadata__" || !names.Add(spec.Name))
            {
                throw new ArgumentException($"Tensor name '{spec.Name}' is reserved or given twice.", nameof(tensors));
            }

            CheckText(spec.Name, nameof(tensors));
            long end = checked(offset + spec.ByteLength);
            entries[i] = (spec, offset, end);
            offset = end;
        }

        var json = WriteHeaderJson(entries, metadata);
        long unpadded = SafetensorsHeader.PrefixLength + json.WrittenCount;
        int padding = (int)((DataAlignment - (unpadded % DataAlignment)) % DataAlignment);
        long headerLength = json.WrittenCount + padding;
        if (headerLength > SafetensorsHeader.MaxHeaderLength)
        {
            throw new ArgumentException(
                $"The header would take {headerLength} bytes, more than the format's limit of {SafetensorsHeader.MaxHeaderLength}.",
                nameof(tensors));
        }

        var prefix = new byte[SafetensorsHeader.PrefixLength + headerLength];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)headerLength);
        json.WrittenSpan.CopyTo(prefix.AsSpan(SafetensorsHeader.PrefixLength));
        prefix.AsSpan(SafetensorsHeader.PrefixLength + json.WrittenCount).Fill((byte)' ');
        return new SafetensorsLayout(prefix, entries, offset);
    }

    private static ArrayBufferWriter<byte> WriteHeaderJson((TensorSpec Spec, long Begin, long End)[] entries, IReadOnlyDictionary<string,
        string>? metadata)
    {
        var buffer = new ArrayBufferWriter<byte>();

        // Relaxed escaping keeps non-ASCII names readable; quotes, backslashes and control characters are still escaped.
        using var writer = new Utf8JsonWriter(buffer,
            new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false });
        writer.WriteStartObject();
        if (metadata is { Count: > 0 })
        {
            writer.WriteStartObject("__metadata__");
            foreach (var (key, value) in metadata)
            {
                CheckText(key, nameof(metadata));
                CheckText(value, nameof(metadata));
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        foreach (var (spec, begin, end) in entries)
        {
            writer.WriteStartObject(spec.Name);
            writer.WriteString("dtype", spec.DType.ToString());
            writer.WriteStartArray("shape");
            foreach (long dim in spec.Shape)
            {
                writer.WriteNumberValue(dim);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("data_offsets");
            writer.WriteNumberValue(begin);
            writer.WriteNumberValue(end);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.Flush();
        return buffer;
    }

    /// <summary>Lone surrogates cannot be written as UTF-8; refuse them rather than let the JSON writer substitute them.</summary>
    private static void CheckText(string text, string parameter)
    {
        ArgumentNullException.ThrowIfNull(text, parameter);
        if (!IsWellFormed(text))
        {
            throw new ArgumentException($"'{text}' is not well-formed UTF-16 text.", parameter);
        }
    }

    private static bool IsWellFormed(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }
}

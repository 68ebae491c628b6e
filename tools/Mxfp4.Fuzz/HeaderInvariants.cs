using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Fuzz;

/// <summary>
/// Re-checks an accepted header against the format's rules without trusting the reader: layout arithmetic in
/// <see cref="BigInteger"/>, and every entry compared with an independent parse of the same JSON.
/// </summary>
public static class HeaderInvariants
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    /// <summary>Null when the header is consistent; otherwise what is wrong.</summary>
    public static string? Check(SafetensorsHeader header, ReadOnlySpan<byte> json, long fileLength)
    {
        if (header.HeaderLength != json.Length || header.DataStart != 8 + json.Length || header.FileLength != fileLength)
        {
            return "lengths differ from the input";
        }

        BigInteger position = header.DataStart;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tensor in header.Tensors)
        {
            if (!names.Add(tensor.Name) || !ReferenceEquals(header.Find(tensor.Name), tensor))
            {
                return $"tensor '{tensor.Name}' listed twice or not found by name";
            }

            if (tensor.DataOffset != position)
            {
                return $"tensor '{tensor.Name}' starts at {tensor.DataOffset}, expected {position} (hole or overlap)";
            }

            BigInteger elements = BigInteger.One;
            foreach (long dimension in tensor.Shape)
            {
                if (dimension < 0)
                {
                    return $"tensor '{tensor.Name}' has a negative dimension";
                }

                elements *= dimension;
            }

            BigInteger bits = elements * DTypeTable.BitSize(tensor.DType);
            if (bits % 8 != 0 || bits / 8 != tensor.ByteLength || elements != tensor.ElementCount || bits >= BigInteger.One << 64)
            {
                return $"tensor '{tensor.Name}' has {tensor.ByteLength} bytes and {tensor.ElementCount} elements but its shape gives "
                    + $"{bits} bits";
            }

            position += tensor.ByteLength;
        }

        if (position != fileLength)
        {
            return $"tensors end at {position} but the file has {fileLength} bytes";
        }

        return CompareWithDocument(header, json);
    }

    private static string? CompareWithDocument(SafetensorsHeader header, ReadOnlySpan<byte> json)
    {
        if (json.Contains((byte)0))
        {
            return "accepted a header holding a NUL byte";
        }

        using var document = JsonDocument.Parse(json.ToArray(), Options);
        int entries = 0;
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.Name == "__metadata__")
            {
                int count = 0;
                foreach (var item in property.Value.EnumerateObject())
                {
                    count++;
                    if (!header.Metadata.TryGetValue(item.Name, out string? value) || item.Value.ValueKind != JsonValueKind.String
                        || value != item.Value.GetString())
                    {
                        return $"metadata '{item.Name}' differs";
                    }
                }

                if (count != header.Metadata.Count)
                {
                    return "metadata count differs";
                }

                continue;
            }

            entries++;
            var tensor = header.Find(property.Name);
            if (tensor is null)
            {
                return $"entry '{property.Name}' missing from the header";
            }

            string? problem = CompareEntry(header, tensor, property.Value);
            if (problem is not null)
            {
                return problem;
            }
        }

        return entries == header.Tensors.Count ? null : $"the JSON has {entries} entries, the header {header.Tensors.Count}";
    }

    private static string? CompareEntry(SafetensorsHeader header, TensorInfo tensor, JsonElement entry)
    {
        int fields = entry.EnumerateObject().Count();
        if (fields != 3 || entry.GetProperty("dtype").GetString() != tensor.DType.ToString())
        {
            return $"entry '{tensor.Name}' fields or dtype differ";
        }

        var shape = Integers(entry.GetProperty("shape"));
        var offsets = Integers(entry.GetProperty("data_offsets"));
        if (shape is null || offsets is null || offsets.Length != 2)
        {
            return $"entry '{tensor.Name}' holds a number that is not plain digits";
        }

        if (!shape.SequenceEqual(tensor.Shape.Select(d => (BigInteger)d)) || offsets[0] + header.DataStart != tensor.DataOffset
            || offsets[1] - offsets[0] != tensor.ByteLength)
        {
            return $"entry '{tensor.Name}' shape or offsets differ";
        }

        return null;
    }

    private static BigInteger[]? Integers(JsonElement array)
    {
        var values = new List<BigInteger>();
        foreach (var item in array.EnumerateArray())
        {
            string raw = item.GetRawText();
            if (item.ValueKind != JsonValueKind.Number || !raw.All(char.IsAsciiDigit))
            {
                return null;
            }

            values.Add(BigInteger.Parse(raw, CultureInfo.InvariantCulture));
        }

        return [.. values];
    }
}

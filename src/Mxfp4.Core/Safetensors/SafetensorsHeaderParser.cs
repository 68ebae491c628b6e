using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Mxfp4.Core.Safetensors;

/// <summary>
/// The JSON rules of the header: UTF-8, one object, bounded nesting, exact types, known fields and dtypes, strict
/// integers, no duplicate keys. Works in two passes over the same bytes: the first checks syntax and nesting for the
/// whole text (so those errors win over schema errors wherever they occur), the second reads the schema.
/// </summary>
internal static class SafetensorsHeaderParser
{
    /// <summary>
    /// A valid header nests three containers (top object, entry, shape array); anything deeper is hostile or broken.
    /// The limit leaves room without letting a recursive structure cost stack or time.
    /// </summary>
    internal const int MaxNesting = 8;

    private const string MetadataKey = "__metadata__";
    private const string DTypeField = "dtype";
    private const string ShapeField = "shape";
    private const string OffsetsField = "data_offsets";

    internal readonly record struct Result(List<HeaderEntry> Entries, IReadOnlyDictionary<string, string>? Metadata);

    /// <summary>How many tokens or entries pass between checks of the cancellation token: a 10^6-tensor header takes seconds.</summary>
    internal const int CancellationStride = 4096;

    public static Result Parse(ReadOnlySpan<byte> json, string path, CancellationToken cancellationToken = default)
    {
        CheckUtf8(json, path);
        CheckNulPadding(json, path);
        CheckSyntaxAndNesting(json, path, cancellationToken);
        return ReadSchema(json, path, cancellationToken);
    }

    private static JsonReaderOptions ReaderOptions => new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,

        // Above our own limit, so that our check (which names the rule) always fires first.
        MaxDepth = MaxNesting * 2,
    };

    private static void CheckUtf8(ReadOnlySpan<byte> json, string path)
    {
        if (Utf8.IsValid(json))
        {
            return;
        }

        // Invalid: transcode piecewise only to find where, for the message.
        Span<char> scratch = stackalloc char[512];
        int position = 0;
        while (position < json.Length)
        {
            var status = Utf8.ToUtf16(json[position..], scratch, out int read, out _, replaceInvalidSequences: false, isFinalBlock: true);
            position += read;
            if (status == OperationStatus.InvalidData)
            {
                string offset = position.ToString(CultureInfo.InvariantCulture);
                throw new SafetensorsFormatException(
                    SafetensorsErrorKind.InvalidUtf8, path, null, offset,
                    $"the header is not valid UTF-8 (bad byte 0x{json[position]:X2} at header offset {offset})");
            }
        }
    }

    private static void CheckNulPadding(ReadOnlySpan<byte> json, string path)
    {
        // NUL is never valid in JSON text; trailing NULs get their own error because some writers pad with them.
        var trimmed = json.TrimEnd(" \t\r\n"u8);
        if (!trimmed.IsEmpty && trimmed[^1] == 0)
        {
            int start = trimmed.TrimEnd((byte)0).Length;
            throw new SafetensorsFormatException(
                SafetensorsErrorKind.NulPadding, path, null, null,
                $"the header is padded with NUL bytes from header offset {start}; only spaces may pad it");
        }
    }

    private static void CheckSyntaxAndNesting(ReadOnlySpan<byte> json, string path, CancellationToken cancellationToken)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        int tokens = 0;
        try
        {
            if (!reader.Read())
            {
                throw Invalid(SafetensorsErrorKind.InvalidJson, path, null, null, "the header is empty; it must be a JSON object");
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw Invalid(SafetensorsErrorKind.InvalidJson, path, null, reader.TokenType.ToString(),
                    $"the header is a JSON {Describe(reader.TokenType)}, not an object");
            }

            do
            {
                if (++tokens % CancellationStride == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray when reader.CurrentDepth >= MaxNesting:
                        throw Invalid(
                            SafetensorsErrorKind.NestingTooDeep, path, null,
                                (reader.CurrentDepth + 1).ToString(CultureInfo.InvariantCulture),
                            $"the header nests arrays and objects more than {MaxNesting} deep (at byte {reader.TokenStartIndex})");
                    case JsonTokenType.String or JsonTokenType.PropertyName when reader.ValueIsEscaped:
                        // Escapes can spell lone surrogates, which are valid JSON syntax but not text.
                        _ = reader.GetString();
                        break;
                }
            }
            while (reader.Read());
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(
                SafetensorsErrorKind.InvalidJson, path, null, null,
                $"the header is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: {FirstSentence(e.Message)})", e);
        }
        catch (InvalidOperationException e)
        {
            throw new SafetensorsFormatException(
                SafetensorsErrorKind.InvalidJson, path, null, null,
                $"the header holds a string that is not valid text at byte {reader.TokenStartIndex} ({FirstSentence(e.Message)})", e);
        }
    }

    private static Result ReadSchema(ReadOnlySpan<byte> json, string path, CancellationToken cancellationToken)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        reader.Read();
        var entries = new List<HeaderEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        Dictionary<string, string>? metadata = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (entries.Count % CancellationStride == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            string name = reader.GetString()!;
            if (!seen.Add(name))
            {
                throw Invalid(SafetensorsErrorKind.DuplicateKey, path, name == MetadataKey ? null : name, name,
                    $"the key '{name}' appears twice at the top level");
            }

            reader.Read();
            if (name == MetadataKey)
            {
                metadata = ReadMetadata(ref reader, path);
            }
            else
            {
                entries.Add(ReadEntry(ref reader, name, path));
            }
        }

        return new Result(entries, metadata);
    }

    private static Dictionary<string, string> ReadMetadata(ref Utf8JsonReader reader, string path)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Invalid(SafetensorsErrorKind.InvalidMetadata, path, null, reader.TokenType.ToString(),
                $"__metadata__ is a JSON {Describe(reader.TokenType)}, not an object of strings");
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string key = reader.GetString()!;
            if (metadata.ContainsKey(key))
            {
                throw Invalid(SafetensorsErrorKind.DuplicateKey, path, null, key, $"the key '{key}' appears twice in __metadata__");
            }

            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                throw Invalid(SafetensorsErrorKind.InvalidMetadata, path, null, key,
                    $"__metadata__ value '{key}' is a JSON {Describe(reader.TokenType)}, not a string");
            }

            metadata.Add(key, reader.GetString()!);
        }

        return metadata;
    }

    private static HeaderEntry ReadEntry(ref Utf8JsonReader reader, string name, string path)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Invalid(SafetensorsErrorKind.InvalidType, path, name, reader.TokenType.ToString(),
                $"the entry is a JSON {Describe(reader.TokenType)}, not an object");
        }

        SafetensorsDType? dtype = null;
        ulong[]? shape = null;
        ulong[]? offsets = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string field = reader.GetString()!;
            if (!seen.Add(field))
            {
                throw Invalid(SafetensorsErrorKind.DuplicateKey, path, name, field, $"the field '{field}' appears twice in the entry");
            }

            reader.Read();
            switch (field)
            {
                case DTypeField:
                    dtype = ReadDType(ref reader, name, path);
                    break;
                case ShapeField:
                    shape = ReadIntegers(ref reader, name, field, path);
                    break;
                case OffsetsField:
                    offsets = ReadIntegers(ref reader, name, field, path);
                    if (offsets.Length != 2)
                    {
                        throw Invalid(SafetensorsErrorKind.InvalidType, path, name, offsets.Length.ToString(CultureInfo.InvariantCulture),
                            $"data_offsets holds {offsets.Length} numbers, not 2 ([begin, end])");
                    }

                    break;
                default:
                    throw Invalid(SafetensorsErrorKind.UnknownField, path, name, field,
                        $"the entry has the unknown field '{field}' (only dtype, shape and data_offsets are allowed)");
            }
        }

        string? missing = dtype is null ? DTypeField : shape is null ? ShapeField : offsets is null ? OffsetsField : null;
        if (missing is not null)
        {
            throw Invalid(SafetensorsErrorKind.MissingField, path, name, missing, $"the entry has no '{missing}' field");
        }

        return new HeaderEntry(name, dtype!.Value, shape!, offsets![0], offsets[1]);
    }

    private static SafetensorsDType ReadDType(ref Utf8JsonReader reader, string name, string path)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw Invalid(SafetensorsErrorKind.InvalidType, path, name, reader.TokenType.ToString(),
                $"dtype is a JSON {Describe(reader.TokenType)}, not a string");
        }

        string text = reader.GetString()!;
        if (!DTypeTable.TryParse(text, out var dtype))
        {
            throw Invalid(SafetensorsErrorKind.UnknownDType, path, name, text, $"dtype '{text}' is not a safetensors dtype");
        }

        return dtype;
    }

    private static ulong[] ReadIntegers(ref Utf8JsonReader reader, string name, string field, string path)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Invalid(SafetensorsErrorKind.InvalidType, path, name, reader.TokenType.ToString(),
                $"{field} is a JSON {Describe(reader.TokenType)}, not an array of integers");
        }

        var values = new List<ulong>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number)
            {
                throw Invalid(SafetensorsErrorKind.InvalidType, path, name, reader.TokenType.ToString(),
                    $"{field} holds a JSON {Describe(reader.TokenType)}, not an integer");
            }

            if (!StrictJsonInteger.TryParse(reader.ValueSpan, out ulong value))
            {
                string text = Encoding.UTF8.GetString(reader.ValueSpan);
                throw Invalid(SafetensorsErrorKind.InvalidNumber, path, name, text,
                    $"{field} holds {text}, which is not a plain non-negative integer below 2^64");
            }

            values.Add(value);
        }

        return [.. values];
    }

    private static SafetensorsFormatException Invalid(SafetensorsErrorKind kind, string path, string? tensor, string? value,
        string detail) =>
        new(kind, path, tensor, value, detail);

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message.TrimEnd('.') : message[..end];
    }
}

using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Mxfp4.Core.Safetensors;

/// <summary>
/// A parsed <c>model.safetensors.index.json</c>: <c>{"metadata": {...}, "weight_map": {tensor: shard file}}</c>.
/// Strict like the headers: one JSON object, no duplicate keys (top level, metadata, weight_map), weight_map an
/// object of strings. Other top-level keys are tolerated, since tools add their own.
/// </summary>
internal sealed class CheckpointIndex
{
    /// <summary>Index files are small (tens of kilobytes for the largest models); the header cap bounds what is read.</summary>
    internal const long MaxLength = SafetensorsHeader.MaxHeaderLength;

    private CheckpointIndex(IReadOnlyList<KeyValuePair<string, string>> weightMap, IReadOnlyDictionary<string, string> metadata)
    {
        WeightMap = weightMap;
        Metadata = metadata;
    }

    /// <summary>Tensor name → shard file name, in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> WeightMap { get; }

    /// <summary>The "metadata" object: strings as their text, every other value as its raw JSON text.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public static CheckpointIndex Read(string indexPath, CancellationToken cancellationToken = default)
    {
        byte[] json;
        using (var stream = FileSystem.SafeOpen.Read(indexPath))
        {
            if (stream.Length > MaxLength)
            {
                throw Invalid(indexPath, $"the index has {stream.Length} bytes, more than the limit of {MaxLength}");
            }

            json = new byte[stream.Length];
            json = json[..stream.ReadAtLeast(json, json.Length, throwOnEndOfStream: false)];
        }

        return Parse(json, indexPath, cancellationToken);
    }

    public static CheckpointIndex Parse(ReadOnlySpan<byte> json, string indexPath, CancellationToken cancellationToken = default)
    {
        if (!Utf8.IsValid(json))
        {
            throw Invalid(indexPath, "the index is not valid UTF-8");
        }

        try
        {
            return ReadObject(json, indexPath, cancellationToken);
        }
        catch (JsonException e)
        {
            throw Invalid(indexPath, $"the index is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})", e);
        }
        catch (InvalidOperationException e)
        {
            throw Invalid(indexPath, "the index holds a string that is not valid text", e);
        }
    }

    private static CheckpointIndex ReadObject(ReadOnlySpan<byte> json, string indexPath, CancellationToken cancellationToken)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw Invalid(indexPath, "the index is not a JSON object");
        }

        List<KeyValuePair<string, string>>? weightMap = null;
        Dictionary<string, string>? metadata = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string key = reader.GetString()!;
            if (!seen.Add(key))
            {
                throw Invalid(indexPath, $"the key '{key}' appears twice at the top level");
            }

            reader.Read();
            switch (key)
            {
                case "weight_map":
                    weightMap = ReadWeightMap(ref reader, indexPath, cancellationToken);
                    break;
                case "metadata":
                    metadata = ReadMetadata(ref reader, json, indexPath);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        // Reading to the end makes the reader reject anything after the object.
        while (reader.Read())
        {
        }

        if (weightMap is null)
        {
            throw Invalid(indexPath, "the index has no weight_map");
        }

        if (weightMap.Count == 0)
        {
            throw Invalid(indexPath, "the index's weight_map is empty");
        }

        return new CheckpointIndex(weightMap, metadata ?? new Dictionary<string, string>(StringComparer.Ordinal));
    }

    private static List<KeyValuePair<string,
        string>> ReadWeightMap(ref Utf8JsonReader reader, string indexPath, CancellationToken cancellationToken)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Invalid(indexPath, "weight_map is not a JSON object");
        }

        var map = new List<KeyValuePair<string, string>>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (map.Count % SafetensorsHeaderParser.CancellationStride == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            string tensor = reader.GetString()!;
            if (!names.Add(tensor))
            {
                throw Invalid(indexPath, $"tensor '{tensor}' appears twice in weight_map", tensorName: tensor);
            }

            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                throw Invalid(indexPath, $"weight_map maps tensor '{tensor}' to a JSON {reader.TokenType}, not a file name",
                    tensorName: tensor);
            }

            string shard = reader.GetString()!;
            if (shard.Contains('\0', StringComparison.Ordinal))
            {
                // No file name holds NUL; .NET would throw a bare ArgumentException on the path later.
                throw Invalid(indexPath, $"weight_map maps tensor '{tensor}' to a file name holding a NUL character", tensorName: tensor);
            }

            map.Add(new(tensor, shard));
        }

        return map;
    }

    private static Dictionary<string, string> ReadMetadata(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, string indexPath)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Invalid(indexPath, "metadata is not a JSON object");
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string key = reader.GetString()!;
            if (metadata.ContainsKey(key))
            {
                throw Invalid(indexPath, $"the key '{key}' appears twice in metadata");
            }

            reader.Read();
            string value;
            if (reader.TokenType == JsonTokenType.String)
            {
                value = reader.GetString()!;
            }
            else
            {
                int start = (int)reader.TokenStartIndex;
                reader.Skip();
                value = Encoding.UTF8.GetString(json[start..(int)reader.BytesConsumed]);
            }

            metadata.Add(key, value);
        }

        return metadata;
    }

    private static CheckpointException Invalid(string indexPath, string detail, Exception? inner = null, string? tensorName = null) =>
        new(ErrorIds.InvalidCheckpointIndex, Mxfp4ErrorCategory.InvalidData, $"'{indexPath}': {detail}.", indexPath, null, tensorName,
            inner);
}

using System.Text.Json;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Fuzz;

/// <summary>Re-checks an accepted index against an independent parse of the same JSON.</summary>
internal static class IndexInvariants
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 128 };

    public static string? Check(CheckpointIndex index, byte[] json)
    {
        if (index.WeightMap.Count == 0)
        {
            return "accepted an empty weight_map";
        }

        using var document = JsonDocument.Parse(json, Options);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return "accepted an index that is not an object";
        }

        var keys = root.EnumerateObject().Select(p => p.Name).ToList();
        if (keys.Count != keys.Distinct(StringComparer.Ordinal).Count())
        {
            return "accepted a duplicate top-level key";
        }

        var map = root.GetProperty("weight_map").EnumerateObject().ToList();
        if (map.Count != index.WeightMap.Count)
        {
            return $"weight_map has {map.Count} entries in the JSON but {index.WeightMap.Count} parsed";
        }

        for (int i = 0; i < map.Count; i++)
        {
            if (map[i].Name != index.WeightMap[i].Key || map[i].Value.ValueKind != JsonValueKind.String
                || map[i].Value.GetString() != index.WeightMap[i].Value)
            {
                return $"weight_map entry {i} differs";
            }
        }

        if (root.TryGetProperty("metadata", out var metadata))
        {
            var items = metadata.EnumerateObject().ToList();
            if (items.Count != index.Metadata.Count || items.Any(p => !index.Metadata.ContainsKey(p.Name)))
            {
                return "metadata differs";
            }
        }

        return null;
    }
}

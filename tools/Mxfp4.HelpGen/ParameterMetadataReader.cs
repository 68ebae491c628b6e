using System.Globalization;
using Markdig.Syntax;

namespace Mxfp4.HelpGen;

/// <summary>Turns a parameter's yaml block into <see cref="ParameterMetadata"/>, accepting only PlatyPS's spellings.</summary>
internal static class ParameterMetadataReader
{
    private static readonly string[] PipelineForms =
        ["False", "True (ByValue)", "True (ByPropertyName)", "True (ByValue, ByPropertyName)"];

    public static ParameterMetadata Read(string path, FencedCodeBlock fence, string parameterName, IReadOnlyList<string> knownKeys)
    {
        var firstLine = fence.Line + 2;
        var pairs = KeyValueBlock.Parse(path, firstLine, fence.Lines.ToString(), knownKeys);
        HelpSchemaException Invalid(string message) => new(path, fence.Line + 1, $"parameter -{parameterName}: {message}");

        if (!pairs.TryGetValue("Type", out var type) || type.Length == 0)
        {
            throw Invalid("the yaml block has no 'Type:'");
        }

        var position = Value(pairs, "Position", "Named");
        if (!position.Equals("Named", StringComparison.OrdinalIgnoreCase)
            && !(int.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index >= 0))
        {
            throw Invalid($"'Position: {position}' must be Named or a non-negative number");
        }

        var pipeline = Value(pairs, "Accept pipeline input", "False");
        var pipelineForm = PipelineForms.FirstOrDefault(f => f.Equals(pipeline, StringComparison.OrdinalIgnoreCase))
            ?? throw Invalid($"'Accept pipeline input: {pipeline}' must be one of: {string.Join(" | ", PipelineForms)}");

        var sets = List(Value(pairs, "Parameter Sets", ParameterSetNames.AllInYaml));
        if (sets is [ParameterSetNames.AllInYaml])
        {
            sets = [];
        }
        else if (sets.Count == 0 || sets.Contains(ParameterSetNames.AllInYaml))
        {
            throw Invalid($"'Parameter Sets:' is either (All) or a comma-separated list of set names");
        }

        return new ParameterMetadata
        {
            Type = type,
            ParameterSets = sets,
            Aliases = List(Value(pairs, "Aliases", string.Empty)),
            AcceptedValues = List(Value(pairs, "Accepted values", string.Empty)),
            Required = Boolean(pairs, "Required", Invalid),
            Position = position.ToLowerInvariant(),
            DefaultValue = Value(pairs, "Default value", "None"),
            PipelineInput = pipelineForm,
            AcceptsWildcards = Boolean(pairs, "Accept wildcard characters", Invalid),
        };
    }

    private static string Value(Dictionary<string, string> pairs, string key, string whenMissing) =>
        pairs.TryGetValue(key, out var value) && value.Length > 0 ? value : whenMissing;

    private static List<string> List(string value) =>
        [.. value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];

    private static bool Boolean(Dictionary<string, string> pairs, string key, Func<string, HelpSchemaException> invalid)
    {
        var value = Value(pairs, key, "False");
        return value.ToUpperInvariant() switch
        {
            "TRUE" => true,
            "FALSE" => false,
            _ => throw invalid($"'{key}: {value}' must be True or False"),
        };
    }
}

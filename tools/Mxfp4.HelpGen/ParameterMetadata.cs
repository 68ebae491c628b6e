namespace Mxfp4.HelpGen;

/// <summary>The content of one <c>```yaml</c> block under a parameter.</summary>
public sealed class ParameterMetadata
{
    public required string Type { get; init; }

    /// <summary>Empty means every parameter set.</summary>
    public required IReadOnlyList<string> ParameterSets { get; init; }

    public required IReadOnlyList<string> Aliases { get; init; }

    public required IReadOnlyList<string> AcceptedValues { get; init; }

    public required bool Required { get; init; }

    /// <summary>"named" or a zero-based position, as MAML spells it.</summary>
    public required string Position { get; init; }

    public required string DefaultValue { get; init; }

    /// <summary>"False" or e.g. "True (ByValue, ByPropertyName)", verbatim: Get-Help prints it as written.</summary>
    public required string PipelineInput { get; init; }

    public required bool AcceptsWildcards { get; init; }

    public bool IsSwitch => Type.Equals("SwitchParameter", StringComparison.OrdinalIgnoreCase);

    public bool AppliesTo(string parameterSet) =>
        ParameterSets.Count == 0 || ParameterSets.Contains(parameterSet, StringComparer.OrdinalIgnoreCase);
}

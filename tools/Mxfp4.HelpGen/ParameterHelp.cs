namespace Mxfp4.HelpGen;

/// <summary>One <c>### -Name</c> entry: its description and one metadata block per distinct set of attributes.</summary>
public sealed class ParameterHelp
{
    public required string Name { get; init; }

    public required IReadOnlyList<string> Description { get; init; }

    /// <summary>PlatyPS writes several yaml blocks when a parameter differs between sets; the first one is the
    /// parameter's entry in <c>command:parameters</c>, each set's syntax uses the block that names it.</summary>
    public required IReadOnlyList<ParameterMetadata> Metadata { get; init; }

    public ParameterMetadata? MetadataFor(string parameterSet) =>
        Metadata.FirstOrDefault(m => m.AppliesTo(parameterSet));
}

namespace Mxfp4.HelpGen;

/// <summary>Everything one cmdlet page says, in the shape MAML needs.</summary>
public sealed class CommandHelp
{
    public required string Name { get; init; }

    public required IReadOnlyList<string> Synopsis { get; init; }

    public required IReadOnlyList<string> Description { get; init; }

    /// <summary>Parameter set names in SYNTAX order; <see cref="ParameterSetNames.All"/> alone for a single-set cmdlet.</summary>
    public required IReadOnlyList<string> ParameterSets { get; init; }

    public required IReadOnlyList<ParameterHelp> Parameters { get; init; }

    public required IReadOnlyList<ExampleHelp> Examples { get; init; }

    public required IReadOnlyList<TypeHelp> Inputs { get; init; }

    public required IReadOnlyList<TypeHelp> Outputs { get; init; }

    public required IReadOnlyList<string> Notes { get; init; }

    public required IReadOnlyList<RelatedLink> RelatedLinks { get; init; }

    /// <summary>The front matter's <c>online version:</c> URL, or empty; <c>Get-Help -Online</c> opens it.</summary>
    public string OnlineVersion { get; init; } = string.Empty;
}

namespace Mxfp4.HelpGen;

/// <summary>An INPUTS or OUTPUTS entry: <c>### TypeName</c> and its explanation.</summary>
public sealed record TypeHelp(string TypeName, IReadOnlyList<string> Description);

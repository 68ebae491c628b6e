namespace Mxfp4.HelpGen;

/// <summary>The spellings PlatyPS and PowerShell use for "every parameter set".</summary>
public static class ParameterSetNames
{
    /// <summary>PowerShell's own name, used by PlatyPS for a SYNTAX section without set headings.</summary>
    public const string All = "__AllParameterSets";

    /// <summary>What PlatyPS writes in a parameter's yaml block when it belongs to every set.</summary>
    public const string AllInYaml = "(All)";
}

namespace Mxfp4.Shell;

/// <summary>
/// Finds the staged module folder (<c>output/Mxfp4</c>, which holds one version subfolder) that hosted runspaces
/// import exactly as pwsh would import it by path.
/// </summary>
public static class ModuleLocator
{
    /// <summary>Environment variable that overrides the search with an explicit module folder or manifest path.</summary>
    public const string OverrideVariable = "MXFP4_MODULE_PATH";

    /// <summary>
    /// Returns the module path to import: the override variable when set, otherwise <c>output/Mxfp4</c> beside the
    /// first ancestor of <paramref name="startDirectory"/> (default <see cref="AppContext.BaseDirectory"/>) that
    /// holds both <c>Mxfp4.psd1</c> and <c>output/Mxfp4</c>; null when neither exists.
    /// </summary>
    public static string? FindModulePath(string? startDirectory = null)
    {
        var overridePath = Environment.GetEnvironmentVariable(OverrideVariable);
        if (!string.IsNullOrWhiteSpace(overridePath))
        {
            return Path.GetFullPath(overridePath);
        }

        var repoRoot = FindRepositoryRoot(startDirectory);
        return repoRoot is null ? null : Path.Combine(repoRoot, "output", "Mxfp4");
    }

    /// <summary>
    /// The first ancestor of <paramref name="startDirectory"/> (default <see cref="AppContext.BaseDirectory"/>)
    /// that holds <c>Mxfp4.psd1</c> and a staged <c>output/Mxfp4</c> folder, or null.
    /// </summary>
    public static string? FindRepositoryRoot(string? startDirectory = null)
    {
        for (var directory = new DirectoryInfo(startDirectory ?? AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mxfp4.psd1"))
                && Directory.Exists(Path.Combine(directory.FullName, "output", "Mxfp4")))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}

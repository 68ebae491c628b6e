namespace Mxfp4.HelpGen.Tests;

/// <summary>Locations of the fixture pages copied beside the test assembly, and a scratch folder per use.</summary>
internal static class Fixtures
{
    public const string HelpFile = "Mxfp4.HelpGen.Tests.dll-Help.xml";

    public static string Valid { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures", "valid");

    public static string Invalid { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures", "invalid");

    public static string ValidPage(string name) => Path.Combine(Valid, name);

    /// <summary>A fresh folder holding only the named invalid page, so each page is judged alone.</summary>
    public static string FolderWithInvalidPage(string fileName)
    {
        var folder = Directory.CreateTempSubdirectory("helpgen-invalid-").FullName;
        File.Copy(Path.Combine(Invalid, fileName), Path.Combine(folder, fileName));
        return folder;
    }

    public static string NewOutputFolder() => Directory.CreateTempSubdirectory("helpgen-out-").FullName;
}

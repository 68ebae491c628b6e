namespace Mxfp4.HelpGen.Tests;

/// <summary>Locations of the fixture pages copied beside the test assembly, and a scratch folder per use.</summary>
internal static class Fixtures
{
    public const string HelpFile = "Mxfp4.HelpGen.Tests.dll-Help.xml";

    /// <summary>Scratch space beside the test assembly (under bin/, never committed), emptied at the start of each run.</summary>
    private static readonly Lazy<string> ScratchRoot = new(() =>
    {
        var root = Path.Combine(AppContext.BaseDirectory, "scratch");
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
        return Directory.CreateDirectory(root).FullName;
    });

    public static string Valid { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures", "valid");

    public static string Invalid { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures", "invalid");

    /// <summary>A fresh folder holding only the named invalid page, so each page is judged alone.</summary>
    public static string FolderWithInvalidPage(string fileName)
    {
        var folder = NewScratchFolder();
        File.Copy(Path.Combine(Invalid, fileName), Path.Combine(folder, fileName));
        return folder;
    }

    public static string NewOutputFolder() => NewScratchFolder();

    public static string NewScratchFolder() =>
        Directory.CreateDirectory(Path.Combine(ScratchRoot.Value, Guid.NewGuid().ToString("N"))).FullName;
}

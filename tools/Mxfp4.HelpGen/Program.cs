using Mxfp4.HelpGen;

// Stand-in for PlatyPS's New-ExternalHelp where PlatyPS cannot be installed (DESIGN.md §5).
if (args.Length is not (2 or 4) || (args.Length == 4 && args[2] != "--help-file"))
{
    Console.Error.WriteLine("usage: Mxfp4.HelpGen <docsDir> <outDir> [--help-file <Name.dll-Help.xml>]");
    Console.Error.WriteLine("  compiles <docsDir>/Verb-Noun.md (PlatyPS schema 2.0.0) into <outDir>/<help file> (MAML)");
    Console.Error.WriteLine(
        $"  and <docsDir>/about_*.md into <outDir>/about_*.help.txt; default help file: {HelpGenerator.DefaultHelpFile}");
    return 2;
}

var docs = args[0];
var output = args[1];
var helpFile = args.Length == 4 ? args[3] : HelpGenerator.DefaultHelpFile;
if (!Directory.Exists(docs))
{
    Console.Error.WriteLine($"{docs}: docs folder not found");
    return 1;
}

try
{
    foreach (var file in HelpGenerator.Generate(docs, output, helpFile))
    {
        Console.WriteLine($"Mxfp4.HelpGen: wrote {file}");
    }
    return 0;
}
catch (HelpSchemaAggregateException e)
{
    foreach (var error in e.Errors)
    {
        Console.Error.WriteLine(error.Message);
    }
    return 1;
}

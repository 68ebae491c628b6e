using System.Text;
using System.Xml;

namespace Mxfp4.HelpGen;

/// <summary>Compiles a docs folder (cmdlet pages <c>Verb-Noun.md</c>, topics <c>about_*.md</c>) into module help files.</summary>
public static class HelpGenerator
{
    public const string DefaultHelpFile = "Mxfp4.PowerShell.dll-Help.xml";

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Writes <paramref name="helpFileName"/> (all cmdlets; an empty but valid helpItems file when there are no
    /// pages yet) and one <c>about_X.help.txt</c> per topic page, removing topics whose page is gone. Nothing is
    /// written unless every page is valid.
    /// </summary>
    /// <returns>The files written.</returns>
    /// <exception cref="HelpSchemaAggregateException">One or more pages are invalid.</exception>
    public static IReadOnlyList<string> Generate(string docsDirectory, string outputDirectory, string helpFileName = DefaultHelpFile)
    {
        var errors = new List<HelpSchemaException>();
        var commands = new List<CommandHelp>();
        foreach (var page in Directory.GetFiles(docsDirectory, "*-*.md").Order(StringComparer.Ordinal))
        {
            try
            {
                var command = CommandPageParser.Parse(page, File.ReadAllText(page), helpFileName);
                if (commands.Any(c => c.Name.Equals(command.Name, StringComparison.OrdinalIgnoreCase)))
                {
                    throw new HelpSchemaException(page, 1, $"cmdlet {command.Name} is documented by two pages");
                }
                commands.Add(command);
            }
            catch (HelpSchemaException e)
            {
                errors.Add(e);
            }
        }

        var topics = new List<(string Name, string Text)>();
        foreach (var page in Directory.GetFiles(docsDirectory, "about_*.md").Order(StringComparer.Ordinal))
        {
            try
            {
                topics.Add(AboutTopicConverter.Convert(page, File.ReadAllText(page)));
            }
            catch (HelpSchemaException e)
            {
                errors.Add(e);
            }
        }

        if (errors.Count > 0)
        {
            throw new HelpSchemaAggregateException(errors);
        }

        Directory.CreateDirectory(outputDirectory);
        var written = new List<string>();
        var mamlPath = Path.Combine(outputDirectory, helpFileName);
        var settings = new XmlWriterSettings { Encoding = Utf8NoBom, Indent = true, NewLineChars = "\n" };
        using (var writer = XmlWriter.Create(mamlPath, settings))
        {
            MamlWriter.Write(commands).Save(writer);
        }
        written.Add(mamlPath);
        foreach (var (name, text) in topics)
        {
            var topicPath = Path.Combine(outputDirectory, name + ".help.txt");
            File.WriteAllText(topicPath, text, Utf8NoBom);
            written.Add(topicPath);
        }
        // The output folder's topics mirror the docs: a topic whose page was deleted must not linger in the module.
        foreach (var stale in Directory.GetFiles(outputDirectory, "about_*.help.txt").Except(written, StringComparer.Ordinal))
        {
            File.Delete(stale);
        }
        return written;
    }
}

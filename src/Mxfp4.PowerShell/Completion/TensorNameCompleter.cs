using System.Collections;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Language;
using Mxfp4.Core;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;

namespace Mxfp4.PowerShell.Completion;

/// <summary>
/// Completes -Name with the tensor names (and MXFP4 logical names) of the checkpoint already bound to -Path,
/// -LiteralPath or -ReferencePath. Only headers are read, and each checkpoint's names are cached by path and last write time.
/// </summary>
public sealed class TensorNameCompleter : IArgumentCompleter
{
    private static readonly ConcurrentDictionary<string, (DateTime WriteTime, string[] Names)> Cache = new(StringComparer.Ordinal);

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        ArgumentNullException.ThrowIfNull(fakeBoundParameters);
        string? path = BoundPath(fakeBoundParameters);
        if (path is null)
        {
            return [];
        }

        string typed = (wordToComplete ?? string.Empty).Trim('\'', '"');
        var pattern = WildcardPattern.Get(typed + "*", WildcardOptions.IgnoreCase);
        return NamesOf(path)
            .Where(pattern.IsMatch)
            .Select(name => new CompletionResult(Quote(name), name, CompletionResultType.ParameterValue, name))
            .ToList();
    }

    /// <summary>
    /// The typed -LiteralPath, -Path or -ReferencePath (first match of its wildcards) as a file-system path, resolved by the session's
    /// providers as the command itself will resolve it: against pwsh's location (not the process's current
    /// directory, which Set-Location does not move), through PSDrives and <c>~</c>.
    /// </summary>
    private static string? BoundPath(IDictionary bound)
    {
        bool literal = bound["LiteralPath"] is not null;
        string? typed = (literal ? bound["LiteralPath"] : bound["Path"] ?? bound["ReferencePath"]) switch
        {
            string s => s,
            IEnumerable e => e.Cast<object>().FirstOrDefault()?.ToString(),
            _ => null,
        };
        if (string.IsNullOrEmpty(typed))
        {
            return null;
        }

        using var shell = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
        shell.AddCommand("Resolve-Path").AddParameter(literal ? "LiteralPath" : "Path", typed).AddParameter("ErrorAction",
            ActionPreference.Ignore);
        var resolved = shell.Invoke<PathInfo>().FirstOrDefault();
        return resolved is { Provider.Name: "FileSystem" } ? resolved.ProviderPath : null;
    }

    private static string[] NamesOf(string path)
    {
        DateTime writeTime = LastWriteTime(path);
        if (Cache.TryGetValue(path, out var cached) && cached.WriteTime == writeTime)
        {
            return cached.Names;
        }

        string[] names;
        try
        {
            using var checkpoint = Checkpoint.Open(path);
            var tensorNames = checkpoint.Tensors.Select(t => t.Name);
            var logicalNames = Mxfp4Pairing.Pair(checkpoint.Tensors).Where(r => r.Tensor is not null).Select(r => r.Tensor!.Name);
            names = logicalNames.Concat(tensorNames).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        }
        catch (Mxfp4Exception)
        {
            // A checkpoint that does not parse offers no completions; the command itself will report why.
            names = [];
        }

        Cache[path] = (writeTime, names);
        return names;
    }

    /// <summary>A directory's own time does not move when a shard is rewritten in place, so its files count too.</summary>
    private static DateTime LastWriteTime(string path)
    {
        if (!Directory.Exists(path))
        {
            return File.GetLastWriteTimeUtc(path);
        }

        var times = Directory.EnumerateFiles(path).Select(File.GetLastWriteTimeUtc).Append(Directory.GetLastWriteTimeUtc(path));
        return times.Max();
    }

    private static string Quote(string name)
        => name.IndexOfAny([' ', '\'', '"', '$', '`', '[', ']', '(', ')', '{', '}', ',', ';', '&', '@', '#']) >= 0
            ? "'" + name.Replace("'", "''", StringComparison.Ordinal) + "'"
            : name;
}

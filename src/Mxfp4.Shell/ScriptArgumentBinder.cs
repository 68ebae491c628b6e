using System.Management.Automation.Runspaces;

namespace Mxfp4.Shell;

/// <summary>
/// Turns <c>-File</c> arguments into command parameters the way pwsh does: "-Name" becomes a parameter name that
/// the binder pairs with the following value (or treats as a switch; the name must keep its dash for the engine
/// to pair it), "-Name:value" carries its value, and
/// anything else is a positional argument.
/// </summary>
public static class ScriptArgumentBinder
{
    public static IEnumerable<CommandParameter> ToParameters(IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        foreach (var argument in arguments)
        {
            if (IsParameterName(argument))
            {
                var colon = argument.IndexOf(':', StringComparison.Ordinal);
                yield return colon > 0
                    ? new CommandParameter(argument[1..colon], ValueOf(argument[(colon + 1)..]))
                    : new CommandParameter(argument);
            }
            else
            {
                yield return new CommandParameter(null, argument);
            }
        }
    }

    private static bool IsParameterName(string argument) =>
        argument.Length > 1 && argument[0] == '-' && (char.IsLetter(argument[1]) || argument[1] == '_');

    /// <summary>"$true"/"$false" after a colon bind as booleans (switches), as pwsh -File allows.</summary>
    private static object ValueOf(string text) => text.ToUpperInvariant() switch
    {
        "$TRUE" => true,
        "$FALSE" => false,
        _ => text,
    };
}

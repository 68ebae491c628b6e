using System.Management.Automation;

namespace Mxfp4.PowerShell.Infrastructure;

/// <summary>The -Name filter: any of several wildcard patterns, case-insensitive as pwsh users expect; no patterns matches all.</summary>
internal sealed class NameFilter
{
    private readonly WildcardPattern[] _patterns;

    internal NameFilter(string[]? patterns)
        => _patterns = (patterns ?? []).Select(p
            => WildcardPattern.Get(p, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant)).ToArray();

    internal bool Matches(string name) => _patterns.Length == 0 || _patterns.Any(p => p.IsMatch(name));

    internal bool MatchesAny(params string[] names) => _patterns.Length == 0 || names.Any(Matches);
}

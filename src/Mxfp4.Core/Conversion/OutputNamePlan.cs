namespace Mxfp4.Core.Conversion;

/// <summary>
/// The names a conversion will write, checked before anything is written: two outputs with one name would make the
/// second replace the first (a lost layer, or a copy reported as converted), so any duplicate is refused up front.
/// </summary>
internal static class OutputNamePlan
{
    /// <summary>Names compare as the destination's file system does: ignoring case on Windows and macOS.</summary>
    private static StringComparer NameComparer =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    /// <summary>Throws <c>OutputNameCollision</c> naming both sources when two planned outputs share a target path.</summary>
    public static void ThrowIfAnyCollide(IEnumerable<(string Target, string Source)> outputs)
    {
        var sourceOf = new Dictionary<string, string>(NameComparer);
        foreach (var (target, source) in outputs)
        {
            if (!sourceOf.TryAdd(target, source))
            {
                throw new Mxfp4Exception(
                    ErrorIds.OutputNameCollision,
                    Mxfp4ErrorCategory.InvalidData,
                    $"'{sourceOf[target]}' and '{source}' would both be written as '{target}'; the conversion would lose one of them. "
                        + "Nothing was written.",
                    target);
            }
        }
    }
}

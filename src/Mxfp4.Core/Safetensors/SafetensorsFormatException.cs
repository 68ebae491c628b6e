namespace Mxfp4.Core.Safetensors;

/// <summary>
/// A safetensors file breaks a rule of the format. <see cref="Mxfp4Exception.ErrorId"/> is always
/// <c>InvalidSafetensorsHeader</c>; <see cref="Kind"/> says which rule.
/// </summary>
public sealed class SafetensorsFormatException : Mxfp4Exception
{
    public SafetensorsFormatException(SafetensorsErrorKind kind, string path, string? tensorName, string? offendingValue, string detail,
        Exception? innerException = null)
        : base(ErrorIds.InvalidSafetensorsHeader, Mxfp4ErrorCategory.InvalidData, FormatMessage(kind, path, tensorName, detail), path,
            innerException)
    {
        Kind = kind;
        Path = path;
        TensorName = tensorName;
        OffendingValue = offendingValue;
    }

    public SafetensorsErrorKind Kind { get; }

    /// <summary>Full path of the file that breaks the rule.</summary>
    public string Path { get; }

    /// <summary>The tensor whose entry breaks the rule, when the rule concerns one tensor.</summary>
    public string? TensorName { get; }

    /// <summary>The value that breaks the rule as it appears in the file (a number's text, a dtype, a key), when there is one.</summary>
    public string? OffendingValue { get; }

    private static string FormatMessage(SafetensorsErrorKind kind, string path, string? tensorName, string detail) =>
        tensorName is null
            ? $"'{path}': {detail} ({kind})"
            : $"'{path}': tensor '{tensorName}': {detail} ({kind})";
}

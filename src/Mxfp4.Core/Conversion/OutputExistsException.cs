namespace Mxfp4.Core.Conversion;

/// <summary>An output that already exists and may only be replaced when the caller says so (-Force).</summary>
public sealed class OutputExistsException : Mxfp4Exception
{
    public OutputExistsException(string path, string message)
        : base(ErrorIds.OutputExists, Mxfp4ErrorCategory.ResourceExists, message, path)
        => Path = path;

    public string Path { get; }
}

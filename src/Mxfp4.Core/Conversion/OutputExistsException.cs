namespace Mxfp4.Core.Conversion;

/// <summary>An output that already exists and may only be replaced when the caller says so (-Force).</summary>
public sealed class OutputExistsException : Mxfp4Exception
{
    public OutputExistsException(string path, string message)
        : base("OutputExists", Mxfp4ErrorCategory.ResourceExists, message, path)
        => Path = path;

    public OutputExistsException()
        : this(string.Empty, "The output already exists.")
    {
    }

    public OutputExistsException(string message)
        : this(string.Empty, message)
    {
    }

    public OutputExistsException(string message, Exception innerException)
        : base("OutputExists", Mxfp4ErrorCategory.ResourceExists, message, null, innerException)
        => Path = string.Empty;

    public string Path { get; }
}

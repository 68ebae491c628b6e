namespace Mxfp4.HelpGen;

/// <summary>A help page that PlatyPS would not accept, located at a file and 1-based line.</summary>
public sealed class HelpSchemaException : Exception
{
    public HelpSchemaException(string path, int line, string message)
        : base($"{path}:{line}: {message}")
    {
        FilePath = path;
        Line = line;
        Reason = message;
    }

    public HelpSchemaException()
    {
        FilePath = string.Empty;
        Reason = string.Empty;
    }

    public HelpSchemaException(string message) : base(message)
    {
        FilePath = string.Empty;
        Reason = message;
    }

    public HelpSchemaException(string message, Exception innerException) : base(message, innerException)
    {
        FilePath = string.Empty;
        Reason = message;
    }

    public string FilePath { get; }

    public int Line { get; }

    /// <summary>The message without the location prefix.</summary>
    public string Reason { get; }
}

namespace Mxfp4.HelpGen;

/// <summary>Every invalid page of a docs folder, so an author sees all problems in one run.</summary>
public sealed class HelpSchemaAggregateException : Exception
{
    public HelpSchemaAggregateException(IReadOnlyList<HelpSchemaException> errors)
        : base(string.Join(Environment.NewLine, errors.Select(e => e.Message)))
    {
        Errors = errors;
    }

    public HelpSchemaAggregateException() => Errors = [];

    public HelpSchemaAggregateException(string message) : base(message) => Errors = [];

    public HelpSchemaAggregateException(string message, Exception innerException) : base(message, innerException) => Errors = [];

    public IReadOnlyList<HelpSchemaException> Errors { get; }
}

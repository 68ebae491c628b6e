namespace Mxfp4.HelpGen;

public sealed record ExampleHelp(string Title, string Code, IReadOnlyList<string> Remarks);

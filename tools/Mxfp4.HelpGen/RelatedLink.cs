namespace Mxfp4.HelpGen;

public sealed record RelatedLink(string Text, string Uri);

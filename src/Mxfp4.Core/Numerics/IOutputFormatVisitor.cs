namespace Mxfp4.Core.Numerics;

/// <summary>
/// An operation over three byte spans that <see cref="OutputFormats.Visit"/> runs specialised for the format type an
/// <see cref="OutputFormat"/> value stands for (spans cannot be fields or generic arguments, so they are parameters).
/// </summary>
public interface IOutputFormatVisitor
{
    void Visit<TFormat>(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> destination)
        where TFormat : struct, IOutputFormat;
}

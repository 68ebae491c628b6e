namespace Mxfp4.Core.Numerics;

/// <summary>The one place where an <see cref="OutputFormat"/> value becomes its <see cref="IOutputFormat"/> type.</summary>
public static class OutputFormats
{
    /// <summary>Runs <paramref name="visitor"/> specialised for the type of <paramref name="format"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined format.</exception>
    public static void Visit<TVisitor>(
        OutputFormat format, ref TVisitor visitor, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> destination)
        where TVisitor : struct, IOutputFormatVisitor
    {
        switch (format)
        {
            case OutputFormat.F32:
                visitor.Visit<F32Format>(first, second, destination);
                break;
            case OutputFormat.BF16:
                visitor.Visit<BF16Format>(first, second, destination);
                break;
            case OutputFormat.F16:
                visitor.Visit<F16Format>(first, second, destination);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown output format.");
        }
    }

    /// <summary>Bytes one element of <paramref name="format"/> occupies.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined format.</exception>
    public static int BytesPerElement(this OutputFormat format)
    {
        var visitor = new ElementSize();
        Visit(format, ref visitor, default, default, default);
        return visitor.Bytes;
    }

    private struct ElementSize : IOutputFormatVisitor
    {
        public int Bytes { get; private set; }

        public void Visit<TFormat>(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> destination)
            where TFormat : struct, IOutputFormat
            => Bytes = TFormat.BytesPerElement;
    }
}

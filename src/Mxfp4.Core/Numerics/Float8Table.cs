namespace Mxfp4.Core.Numerics;

/// <summary>The 256 values of one 8-bit float format in each output format (see <see cref="Float8Tables"/>).</summary>
public sealed class Float8Table
{
    internal Float8Table(uint[] single, ushort[] bfloat16, ushort[] half)
    {
        Single = single;
        BFloat16 = bfloat16;
        Half = half;
    }

    internal uint[] Single { get; }

    internal ushort[] BFloat16 { get; }

    internal ushort[] Half { get; }

    /// <summary><c>destination[i] = table[source[i]]</c> for one output table.</summary>
    internal static void Lookup<T>(ReadOnlySpan<byte> source, Span<T> destination, T[] table)
    {
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = table[source[i]];
        }
    }
}

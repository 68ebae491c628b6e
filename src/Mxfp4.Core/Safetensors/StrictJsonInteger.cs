namespace Mxfp4.Core.Safetensors;

/// <summary>
/// The only numbers a safetensors header may hold: plain non-negative decimal integers below 2^64. JSON itself allows
/// signs, fractions and exponents; the format does not (<c>-0</c>, <c>2.0</c>, <c>2e0</c> are all rejected).
/// </summary>
internal static class StrictJsonInteger
{
    /// <summary>Parses the raw bytes of a JSON number token; false when it is not plain digits or exceeds <see
    /// cref="ulong.MaxValue"/>.</summary>
    public static bool TryParse(ReadOnlySpan<byte> token, out ulong value)
    {
        value = 0;
        if (token.IsEmpty)
        {
            return false;
        }

        foreach (byte b in token)
        {
            uint digit = (uint)(b - (byte)'0');
            if (digit > 9)
            {
                return false;
            }

            if (value > (ulong.MaxValue - digit) / 10)
            {
                return false;
            }

            value = (value * 10) + digit;
        }

        return true;
    }
}

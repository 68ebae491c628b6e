namespace Mxfp4.Core.Verification;

/// <summary>NaN and infinite values found in a tensor (for an MXFP4 pair, NaN blocks: scale byte 255).</summary>
public readonly record struct NonFiniteCount(long NaN, long Infinity)
{
    public long Total => NaN + Infinity;

    public static NonFiniteCount operator +(NonFiniteCount left, NonFiniteCount right)
        => new(left.NaN + right.NaN, left.Infinity + right.Infinity);

    public static NonFiniteCount Add(NonFiniteCount left, NonFiniteCount right) => left + right;
}

namespace Mxfp4.Core.Formats;

/// <summary>The encoding of a block format's shared scale.</summary>
public enum BlockScaleType
{
    /// <summary>OCP MX E8M0: an unsigned power-of-two exponent, byte s meaning 2^(s-127), 255 meaning NaN.</summary>
    E8M0,
}

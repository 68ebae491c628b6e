namespace Mxfp4.Core.Numerics;

/// <summary>The floating element types <see cref="FloatConversion"/> reads (little-endian).</summary>
public enum FloatType
{
    F32,
    BF16,
    F16,

    /// <summary>OCP E4M3FN: no infinities, largest finite 448.</summary>
    F8_E4M3,

    /// <summary>OCP E5M2: IEEE-like, with infinities.</summary>
    F8_E5M2,
}

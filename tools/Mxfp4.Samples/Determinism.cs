namespace Mxfp4.Samples;

/// <summary>
/// A fixed-seed xorshift generator: the samples must come out byte for byte the same on every machine and .NET
/// version, which System.Random does not promise.
/// </summary>
internal sealed class Determinism
{
    private ulong _state;

    internal Determinism(ulong seed) => _state = seed == 0 ? 0x9E3779B97F4A7C15UL : seed;

    internal ulong Next()
    {
        _state ^= _state << 13;
        _state ^= _state >> 7;
        _state ^= _state << 17;
        return _state;
    }

    internal byte NextByte() => (byte)(Next() >> 56);

    /// <summary>Uniform in [-1, 1), from 24 random bits so the float is exact.</summary>
    internal float NextSigned() => (((int)(Next() >> 40)) / (float)(1 << 23)) - 1f;
}

namespace Mxfp4.Core.Formats;

/// <summary>Facts of the OCP MX E2M1 block format as gpt-oss stores it.</summary>
public static class Mxfp4Format
{
    /// <summary>Elements per block, sharing one scale.</summary>
    public const int BlockElements = 32;

    /// <summary>Bytes per block: two E2M1 nibbles a byte.</summary>
    public const int BlockBytes = 16;

    /// <summary>The E8M0 scale that marks a whole block NaN.</summary>
    public const byte NaNScale = 255;

    /// <summary>The bias of the E8M0 scale: byte s means 2^(s - 127).</summary>
    public const int ScaleBias = 127;

    /// <summary>The single NaN the engine writes for a NaN block, in each output format (positive quiet NaN).</summary>
    public const uint NaNBitsF32 = 0x7FC0_0000;

    public const ushort NaNBitsBF16 = 0x7FC0;

    public const ushort NaNBitsF16 = 0x7E00;
}

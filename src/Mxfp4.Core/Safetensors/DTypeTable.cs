using System.Collections.Frozen;
using Mxfp4.Core.Numerics;

namespace Mxfp4.Core.Safetensors;

/// <summary>Bit sizes and header spellings of <see cref="SafetensorsDType"/>.</summary>
public static class DTypeTable
{
    private static readonly FrozenDictionary<string, SafetensorsDType> ByName =
        Enum.GetValues<SafetensorsDType>().ToFrozenDictionary(d => d.ToString(), StringComparer.Ordinal);

    /// <summary>Bits per element. Sub-byte types (F4, F6) pack several elements per byte.</summary>
    public static int BitSize(SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F4 => 4,
        SafetensorsDType.F6_E2M3 or SafetensorsDType.F6_E3M2 => 6,
        SafetensorsDType.BOOL or SafetensorsDType.U8 or SafetensorsDType.I8 or SafetensorsDType.F8_E5M2 or SafetensorsDType.F8_E4M3
            or SafetensorsDType.F8_E8M0 or SafetensorsDType.F8_E4M3FNUZ or SafetensorsDType.F8_E5M2FNUZ => 8,
        SafetensorsDType.I16 or SafetensorsDType.U16 or SafetensorsDType.F16 or SafetensorsDType.BF16 => 16,
        SafetensorsDType.I32 or SafetensorsDType.U32 or SafetensorsDType.F32 => 32,
        SafetensorsDType.C64 or SafetensorsDType.F64 or SafetensorsDType.I64 or SafetensorsDType.U64 => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };

    /// <summary>The floating type <paramref name="dtype"/> converts from, or null when it is not one the engine converts.</summary>
    public static FloatType? ToFloatType(SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F32 => FloatType.F32,
        SafetensorsDType.BF16 => FloatType.BF16,
        SafetensorsDType.F16 => FloatType.F16,
        SafetensorsDType.F8_E4M3 => FloatType.F8_E4M3,
        SafetensorsDType.F8_E5M2 => FloatType.F8_E5M2,
        _ => null,
    };

    /// <summary>Parses a header dtype string; case-sensitive, as the format is.</summary>
    public static bool TryParse(string name, out SafetensorsDType dtype) => ByName.TryGetValue(name, out dtype);
}

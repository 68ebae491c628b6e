namespace Mxfp4.Core.Safetensors;

/// <summary>The element types a safetensors header may name, spelled exactly as in the header.</summary>
#pragma warning disable CA1707 // the names are the format's own spelling
public enum SafetensorsDType
{
    BOOL,
    F4,
    F6_E2M3,
    F6_E3M2,
    U8,
    I8,
    F8_E5M2,
    F8_E4M3,
    F8_E8M0,
    F8_E4M3FNUZ,
    F8_E5M2FNUZ,
    I16,
    U16,
    F16,
    BF16,
    I32,
    U32,
    F32,
    C64,
    F64,
    I64,
    U64,
}
#pragma warning restore CA1707

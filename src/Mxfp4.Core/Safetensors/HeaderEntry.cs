namespace Mxfp4.Core.Safetensors;

/// <summary>
/// One tensor entry exactly as the header spells it, before the layout rules are checked. Numbers stay unsigned
/// 64-bit here so that range errors are reported by the rule they break, not by the JSON pass.
/// </summary>
internal readonly record struct HeaderEntry(string Name, SafetensorsDType DType, ulong[] Shape, ulong Begin, ulong End);

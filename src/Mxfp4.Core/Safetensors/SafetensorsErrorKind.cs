namespace Mxfp4.Core.Safetensors;

/// <summary>
/// Which rule of the safetensors format a file breaks. The values follow the order in which the reader checks
/// them, so the first broken rule is the one reported.
/// </summary>
public enum SafetensorsErrorKind
{
    /// <summary>The file is shorter than the 8-byte header length prefix.</summary>
    FileTooSmall,

    /// <summary>The prefix claims a header above 100,000,000 bytes.</summary>
    HeaderTooLarge,

    /// <summary>8 + the claimed header length reaches beyond the end of the file.</summary>
    InvalidHeaderLength,

    /// <summary>The header bytes are not valid UTF-8.</summary>
    InvalidUtf8,

    /// <summary>The header ends in NUL bytes (padding other writers must not use; only JSON whitespace may pad).</summary>
    NulPadding,

    /// <summary>The header is not JSON text holding exactly one object (syntax errors, a top-level array, string or number).</summary>
    InvalidJson,

    /// <summary>Arrays and objects are nested deeper than a valid header ever needs.</summary>
    NestingTooDeep,

    /// <summary>A value has the wrong JSON type: an entry that is not an object, a dtype that is not a string, a shape that is not an array
    /// of integers, data_offsets that are not two integers.</summary>
    InvalidType,

    /// <summary>A tensor entry lacks dtype, shape or data_offsets.</summary>
    MissingField,

    /// <summary>A tensor entry has a key other than dtype, shape and data_offsets (rejected, as the Rust reader does).</summary>
    UnknownField,

    /// <summary>The dtype string is not one the format defines (names are case-sensitive).</summary>
    UnknownDType,

    /// <summary>A number is not a plain non-negative integer below 2^64: a sign, fraction or exponent (even <c>-0</c>, <c>2.0</c>,
    /// <c>2e0</c>).</summary>
    InvalidNumber,

    /// <summary>A key appears twice in one object: at the top level, inside an entry or inside __metadata__.</summary>
    DuplicateKey,

    /// <summary>__metadata__ is not an object of string values.</summary>
    InvalidMetadata,

    /// <summary>data_offsets do not tile the data buffer from 0: begin after end, a hole, an overlap, or an offset beyond
    /// 2^63−1.</summary>
    InvalidOffsets,

    /// <summary>The element count or bit count of a shape does not fit 64 bits (or a dimension exceeds 2^63−1).</summary>
    ShapeOverflow,

    /// <summary>The shape's byte size differs from end − begin, or its bit count is not a whole number of bytes.</summary>
    SizeMismatch,

    /// <summary>The file continues after the last tensor.</summary>
    TrailingBytes,

    /// <summary>The last tensor ends after the end of the file.</summary>
    TruncatedFile,
}

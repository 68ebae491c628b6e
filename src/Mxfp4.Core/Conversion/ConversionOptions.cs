using Mxfp4.Core.Numerics;

namespace Mxfp4.Core.Conversion;

/// <summary>What a checkpoint conversion produces and how it may treat the destination.</summary>
public sealed record ConversionOptions
{
    public OutputFormat Format { get; init; } = OutputFormat.BF16;

    public ConversionLayout Layout { get; init; } = ConversionLayout.Natural;

    /// <summary>Skip the checkpoint directory's other files (config.json, tokenizer files, ...).</summary>
    public bool SafetensorsOnly { get; init; }

    /// <summary>Allow a destination that already holds files, replacing those of the same names.</summary>
    public bool Force { get; init; }

    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Output bytes decoded per step; two such buffers (one decoding, one being written) and, for the Transformers
    /// layout, two expert-sized buffers bound the memory. Large enough that each step keeps every worker streaming.
    /// </summary>
    public int ChunkBytes { get; init; } = 16 << 20;
}

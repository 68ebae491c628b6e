namespace Mxfp4.Core.MatVec;

/// <summary>What is applied to the biased product before it is written.</summary>
public enum MatVecActivation
{
    /// <summary>y = W·x + b, one output per row.</summary>
    None,

    /// <summary>
    /// gpt-oss's clamped SwiGLU on row pairs: gate = even row, up = odd row, gate = min(gate, 7),
    /// up = clamp(up, −7, 7), out = gate·σ(1.702·gate)·(up + 1); one output per pair.
    /// </summary>
    SwiGLU,
}

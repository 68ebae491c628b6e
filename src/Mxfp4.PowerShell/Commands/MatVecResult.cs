using Mxfp4.Core;
using Mxfp4.Core.MatVec;

namespace Mxfp4.PowerShell.Commands;

/// <summary>One product y = act(W·x + b): for one expert (or the whole matrix) and one input vector.</summary>
public sealed class MatVecResult
{
    public MatVecResult(string name, int? expert, int vectorIndex, MatVecPrecision precision, MatVecActivation activation, float[] values)
    {
        Name = name;
        Expert = expert;
        VectorIndex = vectorIndex;
        Precision = precision;
        Activation = activation;
        Values = values;
    }

    public string Name { get; }

    public int? Expert { get; }

    /// <summary>Which vector of a batch this result is for (0 for a single vector).</summary>
    public int VectorIndex { get; }

    public MatVecPrecision Precision { get; }

    public MatVecActivation Activation { get; }

    public int Length => Values.Length;

#pragma warning disable CA1819 // the result vector is naturally an array
    public float[] Values { get; }
#pragma warning restore CA1819

    public override string ToString()
        => $"{Name}{(Expert is null ? string.Empty : $"[{Expert}]")} · x{VectorIndex} → {Plural.Of(Length, "value", "values")}";
}

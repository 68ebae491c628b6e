namespace Mxfp4.Fuzz;

/// <summary>
/// What one input did. <see cref="Label"/> is the histogram bucket: <c>Accepted</c>, a <c>SafetensorsErrorKind</c>
/// name, or for indexes <c>Index.Accepted</c> / <c>Index.InvalidCheckpointIndex</c>. <see cref="Failure"/> is set
/// when the input broke the property (an unexpected exception, a broken invariant, too slow, too much memory).
/// </summary>
public readonly record struct FuzzOutcome(string Label, string? Failure)
{
    public bool Failed => Failure is not null;
}

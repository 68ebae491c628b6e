namespace Mxfp4.Fuzz;

/// <summary>
/// One fuzz input. For <see cref="FuzzTarget.Header"/>, <see cref="Bytes"/> are the first bytes of a file of
/// <see cref="FileLength"/> bytes whose remainder is zeros, so huge claimed data sections cost nothing.
/// For <see cref="FuzzTarget.Index"/>, <see cref="Bytes"/> is the whole index and <see cref="FileLength"/> its length.
/// </summary>
public sealed record FuzzCase(FuzzTarget Target, byte[] Bytes, long FileLength, string Mutation);

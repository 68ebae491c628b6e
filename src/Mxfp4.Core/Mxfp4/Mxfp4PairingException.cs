namespace Mxfp4.Core.Mxfp4;

/// <summary>A blocks/scales pair that is incomplete or inconsistent. <see cref="Mxfp4Exception.ErrorId"/> says which rule failed.</summary>
public sealed class Mxfp4PairingException : Mxfp4Exception
{
    public Mxfp4PairingException(string errorId, string message, string blocksName, string scalesName, string path)
        : base(errorId, Mxfp4ErrorCategory.InvalidData, message, blocksName)
    {
        BlocksName = blocksName;
        ScalesName = scalesName;
        Path = path;
    }

    public Mxfp4PairingException()
        : this("Mxfp4ShapeMismatch", "Invalid MXFP4 pair.", string.Empty, string.Empty, string.Empty)
    {
    }

    public Mxfp4PairingException(string message)
        : this("Mxfp4ShapeMismatch", message, string.Empty, string.Empty, string.Empty)
    {
    }

    public Mxfp4PairingException(string message, Exception innerException)
        : base("Mxfp4ShapeMismatch", Mxfp4ErrorCategory.InvalidData, message, null, innerException)
    {
        BlocksName = string.Empty;
        ScalesName = string.Empty;
        Path = string.Empty;
    }

    public string BlocksName { get; }

    public string ScalesName { get; }

    public string Path { get; }
}

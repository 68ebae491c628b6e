// The namespace is not the folder's: it reaches users as ErrorRecord.Exception, whose
// full type name they see and may catch; so it keeps the name it was published with.
#pragma warning disable IDE0130 // Namespace does not match folder structure
namespace Mxfp4.Core.Mxfp4;
#pragma warning restore IDE0130

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

    public string BlocksName { get; }

    public string ScalesName { get; }

    public string Path { get; }
}

// The namespace is not the folder's: it reaches users as ErrorRecord.Exception, whose
// full type name they see and may catch; so it keeps the name it was published with.
#pragma warning disable IDE0130 // Namespace does not match folder structure
namespace Mxfp4.Core.Conversion;
#pragma warning restore IDE0130

/// <summary>An output that already exists and may only be replaced when the caller says so (-Force).</summary>
public sealed class OutputExistsException : Mxfp4Exception
{
    public OutputExistsException(string path, string message)
        : base(ErrorIds.OutputExists, Mxfp4ErrorCategory.ResourceExists, message, path)
        => Path = path;

    public string Path { get; }
}

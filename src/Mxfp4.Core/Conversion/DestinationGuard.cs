using Mxfp4.Core.FileSystem;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Core.Conversion;

/// <summary>
/// Keeps a conversion from writing over its own source, however the destination is spelled: directories are compared
/// fully resolved (links, <c>.</c>, <c>..</c>, repeated separators), and every planned output that already exists is
/// compared by identity with every source file, so a link in the destination that leads to a source is refused too.
/// </summary>
internal static class DestinationGuard
{
    /// <summary>A directory checkpoint may not be written into itself or below; a single file not into its own directory.</summary>
    public static void ThrowIfDestinationIsSource(Checkpoint source, string destination)
    {
        string root = FileIdentity.RealPath(source.RootDirectory);
        string target = FileIdentity.RealPath(destination);
        bool sourceIsFile = source.IndexPath is null && !Directory.Exists(source.Path);
        bool same = FileIdentity.SameFile(root, target) || string.Equals(root, target, StringComparison.Ordinal);
        if (same || (!sourceIsFile && FileIdentity.IsWithin(target, root)))
        {
            throw new Mxfp4Exception(
                ErrorIds.DestinationIsSource,
                Mxfp4ErrorCategory.InvalidArgument,
                $"The destination '{destination}' (really '{target}') is the source checkpoint directory '{root}' or inside it; choose "
                    + "another directory.",
                destination);
        }
    }

    /// <summary>
    /// Refuses the plan when an output name is taken by something that is not a regular file (a directory, FIFO,
    /// device, socket): such a file is never replaced, and finding it only at the rename would come after other
    /// outputs were already in place.
    /// </summary>
    public static void ThrowIfAnyOutputIsNotAFile(IEnumerable<string> outputs)
    {
        foreach (var output in outputs)
        {
            if (FileStatus.Of(output) is { Kind: not FileKind.Regular } status)
            {
                throw new UnsupportedFileTypeException(output, status.Kind, "; a conversion output is never written over it");
            }
        }
    }

    /// <summary>Refuses the plan when an existing output path reaches one of the files the conversion reads.</summary>
    public static void ThrowIfAnyOutputIsASource(IEnumerable<string> outputs, IEnumerable<string> sources)
    {
        var sourceFiles = sources.Select(s => (Path: s, Status: FileStatus.Of(s))).Where(s => s.Status is not null).ToList();
        foreach (var output in outputs)
        {
            if (FileStatus.Of(output) is not { } status)
            {
                continue;
            }

            foreach (var (path, sourceStatus) in sourceFiles)
            {
                if (OperatingSystem.IsLinux() ? status.IsSameFile(sourceStatus!.Value) : FileIdentity.SameFile(output, path))
                {
                    throw new Mxfp4Exception(
                        ErrorIds.DestinationIsSource,
                        Mxfp4ErrorCategory.InvalidArgument,
                        $"The output '{output}' is the source file '{path}' (reached through a link); writing it would destroy the "
                            + "source. Choose another destination.",
                        output);
                }
            }
        }
    }
}

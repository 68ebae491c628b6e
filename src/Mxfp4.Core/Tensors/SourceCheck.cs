using Microsoft.Win32.SafeHandles;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Core.Tensors;

/// <summary>
/// The one answer to "has this input changed since it was listed?", for every reader of listed tensors (the cmdlets'
/// <see cref="TensorReader"/>, the converter's shard input) and always as SourceChanged naming the file, what changed
/// and where. A file is compared with its listing when it is opened: the length its header was validated for,
/// and, where the header is read again, the tensor still where its record says. A file kept open is then compared
/// with itself as it was opened: its length and modification time.
/// </summary>
internal sealed class SourceCheck
{
    private readonly SafeFileHandle _handle;
    private readonly string _consequence;

    private SourceCheck(string path, SafeFileHandle handle, long length, DateTime lastWrite, string consequence)
    {
        _consequence = consequence;
        Path = path;
        _handle = handle;
        Length = length;
        LastWrite = lastWrite;
    }

    public string Path { get; }

    /// <summary>The file's length when it was opened.</summary>
    public long Length { get; }

    /// <summary>The file's modification time (UTC) when it was opened.</summary>
    public DateTime LastWrite { get; }

    /// <summary>
    /// Checks a file just opened for <paramref name="tensor"/> against its listing (still <paramref name="listedLength"/>
    /// bytes long) and remembers its length and modification time for <see cref="EnsureUnchanged"/>. The handle is not owned;
    /// <paramref name="consequence"/> ends every message of this file's checks.
    /// </summary>
    public static SourceCheck Opened(SafeFileHandle handle, TensorInfo tensor, long listedLength, string consequence)
    {
        ArgumentNullException.ThrowIfNull(handle);
        ArgumentNullException.ThrowIfNull(tensor);
        long length = RandomAccess.GetLength(handle);
        if (length != listedLength)
        {
            throw Changed(
                tensor.Path,
                $"it was {listedLength} bytes and is now {length} (tensor '{tensor.Name}'); {consequence}",
                tensor.Path);
        }

        return new SourceCheck(tensor.Path, handle, length, File.GetLastWriteTimeUtc(handle), consequence);
    }

    /// <summary>
    /// Throws unless <paramref name="current"/>, the file's header read again, holds <paramref name="listed"/> as listed.
    /// </summary>
    public static void EnsureListed(SafetensorsHeader current, TensorInfo listed)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(listed);
        var now = current.Find(listed.Name);
        if (now is null || now.DataOffset != listed.DataOffset || now.DType != listed.DType
            || !now.Shape.AsSpan().SequenceEqual(listed.Shape))
        {
            throw Changed(
                listed.Path,
                $"it no longer holds tensor '{listed.Name}' as it was listed ({listed.DType} [{string.Join(", ", listed.Shape)}] at byte "
                    + $"{listed.DataOffset}); list the checkpoint again",
                listed.Name);
        }
    }

    /// <summary>Throws if the open file now has another length or modification time than when it was opened.</summary>
    public void EnsureUnchanged(string lastTensor)
    {
        long length = RandomAccess.GetLength(_handle);
        var lastWrite = File.GetLastWriteTimeUtc(_handle);
        if (length != Length || lastWrite != LastWrite)
        {
            throw Changed(
                Path,
                $"it was {Length} bytes modified {LastWrite:O}, and is {length} bytes modified {lastWrite:O} (last tensor "
                    + $"'{lastTensor}'); {_consequence}",
                Path);
        }
    }

    /// <summary>A failed read of the open file, as what it means: the file changed (shrank, or its disk went away).</summary>
    public Mxfp4Exception ReadFailed(string tensor, string what, Exception? inner = null)
        => Changed(Path, $"{what} (tensor '{tensor}'); {_consequence}", Path, inner);

    /// <summary>The SourceChanged error: <paramref name="path"/> changed as <paramref name="what"/> says.</summary>
    public static Mxfp4Exception Changed(string path, string what, object target, Exception? inner = null) => new(
        ErrorIds.SourceChanged,
        Mxfp4ErrorCategory.ReadError,
        $"'{path}' changed since it was listed: {what}.",
        target,
        inner);
}

using Mxfp4.Core.FileSystem;

namespace Mxfp4.Core.Safetensors;

/// <summary>Writes safetensors files laid out by <see cref="SafetensorsLayout"/>.</summary>
public static class SafetensorsWriter
{
    /// <summary>
    /// Writes the prefix, then each tensor in layout order through <paramref name="writeTensor"/>(entry index, stream).
    /// The callback must write exactly the tensor's byte length; more or fewer is an <see cref="InvalidOperationException"/>.
    /// </summary>
    public static void Write(Stream destination, SafetensorsLayout layout, Action<int, Stream> writeTensor)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(writeTensor);
        destination.Write(layout.Prefix);
        for (int i = 0; i < layout.Entries.Count; i++)
        {
            var (spec, begin, end) = layout.Entries[i];
            var counter = new CountingWriteStream(destination, end - begin, spec.Name);
            writeTensor(i, counter);
            if (counter.Written != end - begin)
            {
                throw new InvalidOperationException(
                    $"Tensor '{spec.Name}' is {end - begin} bytes, but its writer wrote {counter.Written}.");
            }
        }

        destination.Flush();
    }

    /// <summary>
    /// Writes <paramref name="path"/> through an <see cref="AtomicFile"/>, replacing an existing file: any failure
    /// (including one thrown by <paramref name="writeTensor"/>) deletes the temporary file, so no partial file is left.
    /// </summary>
    public static void WriteFile(string path, SafetensorsLayout layout, Action<int, Stream> writeTensor)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(layout);
        using var file = AtomicFile.Create(path, overwrite: true, preallocate: layout.FileLength);
        Write(file.Stream, layout, writeTensor);
        file.Commit();
    }

    /// <summary>Writes in-memory tensors to <paramref name="path"/> atomically, in the given order.</summary>
    public static void WriteFile(string path, IReadOnlyList<(TensorSpec Spec, byte[] Data)> tensors, IReadOnlyDictionary<string,
        string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var layout = SafetensorsLayout.Create(tensors.Select(t => t.Spec).ToArray(), metadata);
        WriteFile(path, layout, (i, stream) => stream.Write(tensors[i].Data));
    }
}

using Mxfp4.Core.Safetensors;

namespace Mxfp4.Core.Tests.Giants;

/// <summary>
/// Writes a safetensors file whose data is a hole except for the bytes given: the file system stores only the
/// header and those bytes, however large the tensors claim to be.
/// </summary>
internal static class SparseCheckpoint
{
    public static SafetensorsLayout Write(string path, IReadOnlyList<TensorSpec> tensors,
        IEnumerable<(string Tensor, long Offset, byte[] Bytes)> data)
    {
        var layout = SafetensorsLayout.Create(tensors);
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        stream.Write(layout.Prefix);
        stream.SetLength(layout.FileLength);
        foreach (var (tensor, offset, bytes) in data)
        {
            var entry = layout.Entries.Single(e => e.Spec.Name == tensor);
            if (offset < 0 || offset + bytes.Length > entry.End - entry.Begin)
            {
                throw new ArgumentOutOfRangeException(nameof(data), $"{bytes.Length} bytes at {offset} do not fit tensor '{tensor}'.");
            }

            stream.Position = layout.DataStart + entry.Begin + offset;
            stream.Write(bytes);
        }

        return layout;
    }
}

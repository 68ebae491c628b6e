using System.Buffers.Binary;
using System.Text;

namespace Mxfp4.Core.Tests.Safetensors;

/// <summary>Hand-assembled safetensors files: the prefix, header text and data are exactly what the test says, with no writer in
/// between.</summary>
internal static class SafetensorsBytes
{
    public static byte[] Build(string json, int dataLength) => Build(Encoding.UTF8.GetBytes(json), dataLength);

    public static byte[] Build(byte[] json, int dataLength)
    {
        var file = new byte[8 + json.Length + dataLength];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)json.Length);
        json.CopyTo(file, 8);
        for (int i = 0; i < dataLength; i++)
        {
            file[8 + json.Length + i] = (byte)(i * 7 + 1);
        }

        return file;
    }

    public static string Write(string path, string json, int dataLength)
    {
        File.WriteAllBytes(path, Build(json, dataLength));
        return path;
    }
}

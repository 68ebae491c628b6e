using System.Buffers.Binary;
using System.Text;

namespace Mxfp4.Fuzz;

/// <summary>
/// Every truncation of a few valid inputs: the header cut at each byte with the prefix still claiming the full
/// length (the file ends early) and with the prefix claiming the cut length (a short, broken header), and the index
/// cut at each byte.
/// </summary>
public static class TruncationSweep
{
    public static IEnumerable<FuzzCase> Cases(int seed, int bases)
    {
        for (int b = 0; b < bases; b++)
        {
            var random = new Random(seed + b);
            var (members, dataLength) = ValidInputs.Header(random);
            byte[] json = Encoding.UTF8.GetBytes(JsonMember.Render(members, random));
            var file = new byte[8 + json.Length];
            BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)json.Length);
            json.CopyTo(file, 8);
            for (int cut = 0; cut <= file.Length; cut++)
            {
                yield return new FuzzCase(FuzzTarget.Header, file[..cut], cut, "file truncated at " + cut);
                if (cut >= 8)
                {
                    var shortened = file[..cut];
                    BinaryPrimitives.WriteUInt64LittleEndian(shortened, (ulong)(cut - 8));
                    yield return new FuzzCase(FuzzTarget.Header, shortened, cut + dataLength, "header truncated at " + (cut - 8));
                }
            }

            byte[] index = Encoding.UTF8.GetBytes(JsonMember.Render(ValidInputs.Index(random), random));
            for (int cut = 0; cut <= index.Length; cut++)
            {
                yield return new FuzzCase(FuzzTarget.Index, index[..cut], cut, "index truncated at " + cut);
            }
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Fuzz;

/// <summary>Headers with many small tensors, to see that parsing cost grows linearly with the tensor count.</summary>
public static class ScalingHeaders
{
    /// <summary>A header of <paramref name="tensors"/> BF16 [2, 3] tensors listed in reverse offset order (so sorting has work to
    /// do).</summary>
    public static (byte[] Json, long FileLength) Build(int tensors)
    {
        const int bytesPerTensor = 12;
        var text = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        for (int i = tensors - 1; i >= 0; i--)
        {
            text.Append(CultureInfo.InvariantCulture,
                $",\"model.layers.{i}.weight\":{{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[{(long)i * bytesPerTensor},"
                    + $"{((long)i + 1) * bytesPerTensor}]}}");
        }

        text.Append('}');
        byte[] json = Encoding.UTF8.GetBytes(text.ToString());
        return (json, 8 + json.Length + ((long)tensors * bytesPerTensor));
    }

    /// <summary>Prints the best-of-five parse time for 1k, 10k and 100k tensors.</summary>
    public static void Print(TextWriter output)
    {
        foreach (int tensors in new[] { 1_000, 10_000, 100_000 })
        {
            var (json, fileLength) = Build(tensors);
            SafetensorsHeader.Parse(json, fileLength, "/scaling.safetensors");
            var best = TimeSpan.MaxValue;
            for (int run = 0; run < 5; run++)
            {
                var watch = Stopwatch.StartNew();
                SafetensorsHeader.Parse(json, fileLength, "/scaling.safetensors");
                best = watch.Elapsed < best ? watch.Elapsed : best;
            }

            output.WriteLine(
                string.Create(CultureInfo.InvariantCulture,
                $"{tensors,8:N0} tensors  {json.Length,12:N0} header bytes  {best.TotalMilliseconds,9:F2} ms  "
                    + $"{best.TotalMilliseconds * 1000 / tensors,7:F2} us/tensor"));
        }
    }
}

using System.Globalization;

namespace Mxfp4.PowerShell.Infrastructure;

/// <summary>Text helpers the table views in Mxfp4.Format.ps1xml call: shapes as [a, b], sizes in human units, short previews.</summary>
public static class Display
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB"];

    public static string Shape(long[]? shape) => shape is null ? string.Empty : "[" + string.Join(", ", shape) + "]";

    public static string Size(long bytes)
    {
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {Units[unit]}");
    }

    /// <summary>The first few values of an array, so a view never prints millions of numbers.</summary>
    public static string Preview(System.Collections.IList? values, int count = 6)
    {
        if (values is null)
        {
            return string.Empty;
        }

        var shown = new List<string>();
        for (int i = 0; i < Math.Min(count, values.Count); i++)
        {
            shown.Add(values[i] switch
            {
                float f => f.ToString("G6", CultureInfo.InvariantCulture),
                Half h => ((float)h).ToString("G5", CultureInfo.InvariantCulture),
                ushort bf16 => BitConverter.UInt32BitsToSingle((uint)bf16 << 16).ToString("G4", CultureInfo.InvariantCulture),
                IFormattable other => other.ToString(null, CultureInfo.InvariantCulture),
                var other => other?.ToString() ?? string.Empty,
            });
        }

        return values.Count > count ? "[" + string.Join(", ", shown) + ", …]" : "[" + string.Join(", ", shown) + "]";
    }
}

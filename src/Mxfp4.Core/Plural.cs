using System.Globalization;

namespace Mxfp4.Core;

/// <summary>A count with its noun in the right number, for messages: "1 MXFP4 tensor", "2 MXFP4 tensors".</summary>
public static class Plural
{
    public static string Of(long count, string singular, string plural)
        => string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? singular : plural)}");

    /// <summary>The same with the count grouped in thousands ("12,345 elements"), for progress.</summary>
    public static string Grouped(long count, string singular, string plural)
        => string.Create(CultureInfo.InvariantCulture, $"{count:N0} {(count == 1 ? singular : plural)}");
}

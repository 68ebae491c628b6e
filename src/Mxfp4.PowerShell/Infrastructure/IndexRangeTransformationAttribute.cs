using System.Collections;
using System.Globalization;
using System.Management.Automation;

namespace Mxfp4.PowerShell.Infrastructure;

/// <summary>
/// Lets index parameters take ranges as typed at the prompt: in argument mode pwsh passes <c>-Row 0..99</c> as the
/// string "0..99", so strings "a..b" (and "a") expand to the indices; numbers and arrays pass through.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class IndexRangeTransformationAttribute : ArgumentTransformationAttribute
{
    /// <summary>Guards against "0..99999999999" filling memory before any validation runs.</summary>
    private const long MaxIndices = 1 << 24;

    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var values = new List<long>();
        foreach (var item in Items(inputData))
        {
            object value = item is PSObject ps ? ps.BaseObject : item;
            if (value is string text)
            {
                Expand(text, values);
            }
            else
            {
                values.Add(Convert.ToInt64(value, CultureInfo.InvariantCulture));
            }
        }

        return values.ToArray();
    }

    private static IEnumerable Items(object input)
    {
        object value = input is PSObject ps ? ps.BaseObject : input;
        return value is IEnumerable e and not string ? e : new[] { value };
    }

    private static void Expand(string text, List<long> values)
    {
        var parts = text.Split("..", StringSplitOptions.TrimEntries);
        if (parts.Length is < 1 or > 2 || !parts.All(p => long.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)))
        {
            throw new ArgumentTransformationMetadataException($"'{text}' is not an index or a range like 0..99.");
        }

        long first = long.Parse(parts[0], CultureInfo.InvariantCulture);
        long last = long.Parse(parts[^1], CultureInfo.InvariantCulture);
        long step = first <= last ? 1 : -1;
        // In 128 bits: "-9223372036854775808..9223372036854775807" would wrap a 64-bit difference to a small one.
        if (Int128.Abs((Int128)last - first) >= MaxIndices)
        {
            throw new ArgumentTransformationMetadataException($"The range '{text}' selects more than {MaxIndices} indices.");
        }

        for (long i = first; ; i += step)
        {
            values.Add(i);
            if (i == last)
            {
                break;
            }
        }
    }
}

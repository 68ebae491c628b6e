using System.Collections;
using System.Globalization;
using System.Management.Automation;

namespace Mxfp4.PowerShell.Infrastructure;

/// <summary>
/// Binds -Vector to a batch: a flat list of numbers (float[], double[], 1..64, ...) is one vector; a list of such
/// lists is several. Without this, pwsh would turn a float[] into a batch of one-element vectors. A float[] is taken
/// as it is and a double[] converted in one pass: going through objects would box every element (gigabytes for a
/// vector of 10^8). $null, or a null element, is refused rather than read as zero.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class VectorBatchTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object? value = Unwrap(inputData);
        if (value is null)
        {
            throw new ArgumentTransformationMetadataException(
                "-Vector cannot be $null: give numbers (one vector) or arrays of numbers (a batch).");
        }

        if (TryTyped(value) is { } vector)
        {
            return new[] { vector };
        }

        var items = Items(value).ToList();
        if (items.Count > 0 && items.All(IsList))
        {
            return items.Select(i => TryTyped(Unwrap(i)!) ?? ToVector(Items(Unwrap(i)))).ToArray();
        }

        return new[] { ToVector(items) };
    }

    /// <summary>A vector that is already a typed array: no per-element work beyond the conversion itself.</summary>
    private static float[]? TryTyped(object value) => value switch
    {
        float[] floats => floats,
        double[] doubles => Array.ConvertAll(doubles, d => (float)d),
        _ => null,
    };

    private static bool IsList(object? item) => Unwrap(item) is IEnumerable and not string;

    private static object? Unwrap(object? item) => item is PSObject ps ? ps.BaseObject : item;

    private static IEnumerable<object?> Items(object? input)
        => Unwrap(input) is IEnumerable e and not string ? e.Cast<object?>() : [Unwrap(input)];

    private static float[] ToVector(IEnumerable<object?> items)
    {
        try
        {
            return items.Select(i => Unwrap(i) is { } number
                ? Convert.ToSingle(number, CultureInfo.InvariantCulture)
                : throw new ArgumentTransformationMetadataException(
                    "-Vector holds a $null element; every element must be a number.")).ToArray();
        }
        catch (Exception ex) when (ex is FormatException or InvalidCastException or OverflowException)
        {
            throw new ArgumentTransformationMetadataException(
                $"-Vector takes numbers (one vector) or arrays of numbers (a batch): {ex.Message}", ex);
        }
    }
}

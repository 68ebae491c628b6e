using System.Collections;
using System.Globalization;
using System.Management.Automation;

namespace Mxfp4.PowerShell.Infrastructure;

/// <summary>
/// Binds -Vector to a batch: a flat list of numbers (float[], double[], 1..64, ...) is one vector; a list of such
/// lists is several. Without this, pwsh would turn a float[] into a batch of one-element vectors.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class VectorBatchTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var items = Items(inputData).ToList();
        if (items.Count > 0 && items.All(IsList))
        {
            return items.Select(i => ToVector(Items(i))).ToArray();
        }

        return new[] { ToVector(items) };
    }

    private static bool IsList(object? item) => Unwrap(item) is IEnumerable and not string;

    private static object? Unwrap(object? item) => item is PSObject ps ? ps.BaseObject : item;

    private static IEnumerable<object?> Items(object? input)
        => Unwrap(input) is IEnumerable e and not string ? e.Cast<object?>() : [Unwrap(input)];

    private static float[] ToVector(IEnumerable<object?> items)
    {
        try
        {
            return items.Select(i => Convert.ToSingle(Unwrap(i), CultureInfo.InvariantCulture)).ToArray();
        }
        catch (Exception ex) when (ex is FormatException or InvalidCastException or OverflowException)
        {
            throw new ArgumentTransformationMetadataException($"-Vector takes numbers (one vector) or arrays of numbers (a batch): {ex.Message}", ex);
        }
    }
}

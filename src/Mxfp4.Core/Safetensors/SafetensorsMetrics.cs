using System.Diagnostics.Metrics;

namespace Mxfp4.Core.Safetensors;

/// <summary>
/// How often the engine reads and validates a safetensors header, as a counter of the <see cref="MeterName"/> meter
/// tagged with the file's full path: dotnet-counters (or a MeterListener) shows a reader that validates one file
/// more often than it needs to, such as once per tensor where once per command would do.
/// </summary>
internal static class SafetensorsMetrics
{
    public const string MeterName = "Mxfp4.Core";

    public const string HeaderReadsName = "mxfp4.safetensors.header_reads";

    public const string PathTag = "path";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> HeaderReads =
        Meter.CreateCounter<long>(HeaderReadsName, "{header}", "Safetensors headers read and validated");

    public static void HeaderRead(string fullPath) => HeaderReads.Add(1, new KeyValuePair<string, object?>(PathTag, fullPath));
}

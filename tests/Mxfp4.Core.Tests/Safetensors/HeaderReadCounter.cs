using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Core.Tests.Safetensors;

/// <summary>
/// Counts the safetensors headers the engine reads from files under one directory, through the engine's own
/// metric (<see cref="SafetensorsMetrics"/>); reads of other tests' files, running in parallel, are not counted.
/// </summary>
internal sealed class HeaderReadCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _reads = new(StringComparer.Ordinal);
    private readonly string _prefix;

    public HeaderReadCounter(string directory)
    {
        _prefix = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)) + Path.DirectorySeparatorChar;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SafetensorsMetrics.MeterName && instrument.Name == SafetensorsMetrics.HeaderReadsName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == SafetensorsMetrics.PathTag && tag.Value is string path && path.StartsWith(_prefix, StringComparison.Ordinal))
                {
                    _reads.AddOrUpdate(path[_prefix.Length..], value, (_, count) => count + value);
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Reads so far, by file name relative to the directory, in name order.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Reads => [.. _reads.OrderBy(r => r.Key, StringComparer.Ordinal)];

    public void Dispose() => _listener.Dispose();
}

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Xunit;

namespace Mxfp4.PowerShell.Tests.Reliability;

/// <summary>
/// How often a cmdlet reads and validates a shard's header, counted through the engine's metric (meter "Mxfp4.Core",
/// counter "mxfp4.safetensors.header_reads", tagged with the path), for records listed before the count starts:
/// -AsStream opens its input once, and -WithBias reads each shard once for all tensors, biases and experts.
/// </summary>
public sealed class OpenOnceTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mxfp4-open-once-" + Guid.NewGuid().ToString("N"));
    private readonly ModuleSession _session = new();
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _reads = new(StringComparer.Ordinal);

    public OpenOnceTests()
    {
        Directory.CreateDirectory(_directory);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryLayout.RepositoryRoot, "samples", "gpt-oss-tiny")))
        {
            File.Copy(file, Path.Combine(_directory, Path.GetFileName(file)));
        }

        _session.Run("$tensors = Get-Mxfp4Tensor $checkpoint", new Dictionary<string, object?> { ["checkpoint"] = _directory });
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument is { Name: "mxfp4.safetensors.header_reads", Meter.Name: "Mxfp4.Core" })
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "path", Value: string path } && Path.GetDirectoryName(path) == _directory)
                {
                    _reads.AddOrUpdate(Path.GetFileName(path), value, (_, count) => count + value);
                }
            }
        });
        _listener.Start();
    }

    public void Dispose()
    {
        _listener.Dispose();
        _session.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-Expert 0, 2, 3")]
    public void AsStream_reads_its_input_once_however_many_streams_it_returns(string selection)
    {
        var result = _session.Run(
            "$streams = @($tensors[0] | ConvertFrom-Mxfp4 -AsStream -Format F32 " + selection + "); "
                + "$streams | ForEach-Object { $_.Length; $_.ReadByte() | Out-Null; $_.Dispose() }");

        Assert.Empty(result.Errors);
        Assert.Equal(selection.Length == 0 ? 1 : 3, result.Output.Count);
        Assert.Equal([new("model-00001-of-00002.safetensors", 1L)], Reads());
    }

    [Fact]
    public void WithBias_reads_each_shard_once_for_every_tensor_bias_and_expert()
    {
        var result = _session.Run(
            "$tensors | Where-Object Name -like '*gate_up_proj' | Invoke-Mxfp4MatVec -WithBias -Vector ([float[]]::new(64))");

        Assert.Empty(result.Errors);
        Assert.Equal(2 * 4, result.Output.Count);
        Assert.Equal([new("model-00001-of-00002.safetensors", 1L), new("model-00002-of-00002.safetensors", 1L)], Reads());
    }

    private List<KeyValuePair<string, long>> Reads() => [.. _reads.OrderBy(r => r.Key, StringComparer.Ordinal)];
}

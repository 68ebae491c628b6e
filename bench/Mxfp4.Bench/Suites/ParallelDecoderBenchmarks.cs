using BenchmarkDotNet.Attributes;
using Mxfp4.Core.Decoding;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Tensors;

namespace Mxfp4.Bench.Suites;

/// <summary>A 4-expert slice of a gpt-oss-20b gate_up tensor, decoded directly on 1 and all threads and through the stream.</summary>
[MemoryDiagnoser]
public class ParallelDecoderBenchmarks
{
    private const int Groups = 4 * 5760 * 90;

    private Mxfp4TensorSource _source = null!;
    private byte[] _output = [];
    private byte[] _readBuffer = [];

    [ParamsAllValues]
    public OutputFormat Format { get; set; }

    /// <summary>0 = every worker of the shared pool.</summary>
    [Params(1, 0)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(2);
        var blocks = new byte[Groups * Mxfp4Format.BlockBytes];
        var scales = new byte[Groups];
        random.NextBytes(blocks);
        for (int g = 0; g < Groups; g++)
        {
            scales[g] = (byte)random.Next(110, 131);
        }

        _source = new Mxfp4TensorSource(blocks, scales);
        _output = GC.AllocateArray<byte>(checked((int)(_source.ElementCount * Format.BytesPerElement())), pinned: true);
        _readBuffer = new byte[1 << 20];
    }

    [Benchmark(Baseline = true)]
    public void Direct() => ParallelDecoder.Decode(_source, 0, _source.ElementCount, _output, Format, Threads, CancellationToken.None);

    [Benchmark]
    public long Stream1MiBReads()
    {
        using var stream = new DequantizingStream(_source, Format, Threads);
        long total = 0;
        int read;
        while ((read = stream.Read(_readBuffer, 0, _readBuffer.Length)) != 0)
        {
            total += read;
        }

        return total;
    }
}

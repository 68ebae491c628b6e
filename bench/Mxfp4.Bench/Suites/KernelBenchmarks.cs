using BenchmarkDotNet.Attributes;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Numerics;

namespace Mxfp4.Bench.Suites;

/// <summary>One kernel call per format and per path this CPU supports, on an input whose output fits in L2: compute speed, not
/// memory.</summary>
[MemoryDiagnoser]
public class KernelBenchmarks
{
    private const int Groups = 4096;

    private byte[] _blocks = [];
    private byte[] _scales = [];
    private byte[] _output = [];

    [ParamsSource(nameof(Paths))]
    public KernelPath Path { get; set; }

    [ParamsAllValues]
    public OutputFormat Format { get; set; }

    public static IEnumerable<KernelPath> Paths => Enum.GetValues<KernelPath>().Where(Mxfp4Kernels.IsSupported);

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _blocks = new byte[Groups * Mxfp4Format.BlockBytes];
        _scales = new byte[Groups];
        random.NextBytes(_blocks);
        for (int g = 0; g < Groups; g++)
        {
            _scales[g] = (byte)random.Next(110, 131);
        }

        _output = new byte[Groups * Mxfp4Format.BlockElements * Format.BytesPerElement()];
    }

    [Benchmark]
    public void Dequantize() => Mxfp4Kernels.Dequantize(_blocks, _scales, _output, Format, Path);
}

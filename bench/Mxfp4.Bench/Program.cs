using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Mxfp4.Bench.Limits;

namespace Mxfp4.Bench;

/// <summary>
/// <c>limits [--quick] [--only dequant|matvec|conversion]</c> prints the limit-ratio report measured in this one process; anything else
/// goes to
/// BenchmarkDotNet (e.g. <c>--filter *</c>).
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "limits")
        {
            bool quick = args.Skip(1).Contains("--quick");
            int only = Array.IndexOf(args, "--only");
            new LimitsReport(quick, only > 0 && only + 1 < args.Length ? args[only + 1] : null).Run(Console.Out);
            return 0;
        }

        // The generated benchmark project builds slowly on a busy machine; the default two minutes is not always enough.
        var config = ManualConfig.Create(DefaultConfig.Instance).WithBuildTimeout(TimeSpan.FromMinutes(10));
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return 0;
    }
}

using BenchmarkDotNet.Running;
using Mxfp4.Bench.Limits;

namespace Mxfp4.Bench;

/// <summary>
/// <c>limits [--quick]</c> prints the limit-ratio report measured in this one process; anything else goes to
/// BenchmarkDotNet (e.g. <c>--filter *</c>).
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "limits")
        {
            bool quick = args.Skip(1).Contains("--quick");
            new LimitsReport(quick).Run(Console.Out);
            return 0;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}

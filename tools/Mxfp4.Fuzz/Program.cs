using System.Globalization;
using Mxfp4.Fuzz;

// Fuzzes the safetensors header and checkpoint index parsers:
//   dotnet run -c Release --project tools/Mxfp4.Fuzz -- --seed 1 --count 1000000
//   dotnet run -c Release --project tools/Mxfp4.Fuzz -- --seed 1 --seconds 60
//   dotnet run -c Release --project tools/Mxfp4.Fuzz -- --header-scaling
//   dotnet run -c Release --project tools/Mxfp4.Fuzz -- --directories --seed 1 --seconds 60
int seed = 1;
long count = long.MaxValue;
double seconds = double.PositiveInfinity;
string regressions = RegressionStore.DefaultDirectory();
bool directories = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--seed":
            seed = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--count":
            count = long.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--seconds":
            seconds = double.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--regressions":
            regressions = Path.GetFullPath(args[++i]);
            break;
        case "--directories":
            directories = true;
            break;
        case "--header-scaling":
            ScalingHeaders.Print(Console.Out);
            return 0;
        default:
            Console.Error.WriteLine(
                $"unknown argument '{args[i]}'; use --seed N, --count N, --seconds S, --regressions DIR, --directories or "
                    + "--header-scaling");
            return 2;
    }
}

if (count == long.MaxValue && double.IsPositiveInfinity(seconds))
{
    count = 100_000;
}

var duration = double.IsPositiveInfinity(seconds) ? TimeSpan.MaxValue : TimeSpan.FromSeconds(seconds);
if (directories)
{
    // Directories are regenerated from seed and case number, so a failure is reported, not saved.
    var directoryReport = CheckpointDirectoryLoop.Run(seed, count == 100_000 ? 2_000 : count, duration);
    Console.WriteLine($"seed:     {seed}");
    Console.Write(directoryReport);
    foreach (var (input, outcome) in directoryReport.Failures)
    {
        Console.WriteLine($"FAILURE {input.Mutation} -> {outcome.Label}: {outcome.Failure}");
    }

    return directoryReport.Failures.Count == 0 ? 0 : 1;
}

var report = FuzzLoop.Run(seed, count, duration);
Console.WriteLine($"seed:     {seed}");
Console.Write(report);
for (int f = 0; f < report.Failures.Count; f++)
{
    var (input, outcome) = report.Failures[f];
    string name = string.Create(CultureInfo.InvariantCulture, $"seed{seed}-failure{f}-{input.Target}");
    RegressionStore.Save(regressions, name, input, RegressionStore.AnyOutcome);
    Console.WriteLine($"FAILURE {name} [{input.Mutation}] -> {outcome.Label}: {outcome.Failure}");
    Console.WriteLine($"  saved to {Path.Combine(regressions, name)}.bin");
}

return report.Failures.Count == 0 ? 0 : 1;

using Mxfp4.Samples;

// Regenerates the bundled sample checkpoints: dotnet run --project tools/Mxfp4.Samples -- samples
string target = args.Length > 0 ? args[0] : "samples";
SampleCheckpoints.Write(target);
Console.WriteLine($"Wrote sample checkpoints to {Path.GetFullPath(target)}");

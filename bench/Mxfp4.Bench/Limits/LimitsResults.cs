namespace Mxfp4.Bench.Limits;

/// <summary>One measured operation: a row of the report's table.</summary>
/// <param name="RatioToLimit">Median throughput over that of the plain memory operation it is bounded by (e.g. glibc memset of the same
/// output bytes on as many threads), if any.</param>
/// <param name="RatioToGgml">Median throughput over ggml's (its faster path) doing the same on as many threads, if ggml does it.</param>
/// <param name="Check">What the sample check of the timed output against the scalar reference found.</param>
internal sealed record LimitsMeasurement(string Operation, int Threads, long Bytes, Throughput Speed, double? RatioToLimit = null,
    double? RatioToGgml = null, string Check = "");

/// <summary>A goal from the issue: <see cref="Actual"/> must reach <see cref="Required"/>.</summary>
internal sealed record LimitsTarget(string Description, double Actual, double Required)
{
    public bool Passed => Actual >= Required;
}

/// <summary>What one section of the report produced.</summary>
internal sealed record LimitsSectionResult(IReadOnlyList<LimitsMeasurement> Measurements, IReadOnlyList<LimitsTarget> Targets);

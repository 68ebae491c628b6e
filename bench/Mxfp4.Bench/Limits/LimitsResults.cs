namespace Mxfp4.Bench.Limits;

/// <summary>One measured operation: a row of the report's table.</summary>
/// <param name="RatioToBaseline">Throughput over that of the plain memory operation it is compared with (e.g. memset of the same output bytes on as many threads), if any.</param>
internal sealed record LimitsMeasurement(string Operation, int Threads, long Bytes, double GigabytesPerSecond, double? RatioToBaseline = null);

/// <summary>A goal from the issue: <see cref="Actual"/> must reach <see cref="Required"/>.</summary>
internal sealed record LimitsTarget(string Description, double Actual, double Required)
{
    public bool Passed => Actual >= Required;
}

/// <summary>What one section of the report produced.</summary>
internal sealed record LimitsSectionResult(IReadOnlyList<LimitsMeasurement> Measurements, IReadOnlyList<LimitsTarget> Targets);

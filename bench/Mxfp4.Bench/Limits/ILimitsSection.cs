namespace Mxfp4.Bench.Limits;

/// <summary>
/// One section of the limits report: measures an engine operation against the plain memory or file operation that
/// bounds it, on the shared workload. New sections (conversion vs file write, matvec vs read bandwidth) implement
/// this and are added to <see cref="LimitsReport.Sections"/>.
/// </summary>
internal interface ILimitsSection
{
    string Title { get; }

    /// <summary>One line on what the ratios mean, printed under the title.</summary>
    string Baseline { get; }

    LimitsSectionResult Run(LimitsWorkload workload, Bandwidth bandwidth);
}

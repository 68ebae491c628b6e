using Xunit;

namespace Mxfp4.Core.Tests.Conversion;

/// <summary>Tests that measure process-wide quantities (allocated bytes) or mount file systems run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "Serial";
}

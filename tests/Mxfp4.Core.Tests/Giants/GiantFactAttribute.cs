using Xunit;

namespace Mxfp4.Core.Tests.Giants;

/// <summary>
/// A test that writes gigabytes of real data: skipped unless <c>MXFP4_GIANT_TESTS=1</c>, so CI stays fast and does
/// not need the disk space.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class GiantFactAttribute : FactAttribute
{
    public const string Variable = "MXFP4_GIANT_TESTS";

    public GiantFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
        {
            Skip = $"writes more than 4 GiB; set {Variable}=1 to run it";
        }
    }
}

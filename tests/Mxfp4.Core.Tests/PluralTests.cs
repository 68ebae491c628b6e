using Xunit;

namespace Mxfp4.Core.Tests;

public class PluralTests
{
    [Theory]
    [InlineData(0, "0 MXFP4 tensors")]
    [InlineData(1, "1 MXFP4 tensor")]
    [InlineData(2, "2 MXFP4 tensors")]
    [InlineData(-1, "-1 MXFP4 tensors")]
    public void Of_uses_the_singular_for_exactly_one(long count, string expected)
        => Assert.Equal(expected, Plural.Of(count, "MXFP4 tensor", "MXFP4 tensors"));

    [Theory]
    [InlineData(1, "1 element")]
    [InlineData(12345678, "12,345,678 elements")]
    public void Grouped_groups_thousands_whatever_the_culture(long count, string expected)
    {
        var saved = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            Assert.Equal(expected, Plural.Grouped(count, "element", "elements"));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = saved;
        }
    }
}

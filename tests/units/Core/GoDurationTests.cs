using VmSnapshot.Core.Text;
using Xunit;

namespace VmSnapshot.Tests.Core;

public class GoDurationTests
{
    [Theory]
    [InlineData("5m0s", 300_000)]
    [InlineData("40s", 40_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("250ms", 250)]
    [InlineData("0s", 0)]
    [InlineData("0", 0)]
    [InlineData("-2s", -2_000)]
    public void Parses_go_durations(string text, long milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out TimeSpan duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("5 minutes")]
    [InlineData("00:05:00")]
    [InlineData("m")]
    public void Rejects_what_go_rejects(string text) => Assert.False(GoDuration.TryParse(text, out _));

    [Theory]
    [InlineData(300_000, "5m0s")]
    [InlineData(3_600_000, "1h0m0s")]
    [InlineData(40_000, "40s")]
    [InlineData(1_500, "1.5s")]
    [InlineData(0, "0s")]
    [InlineData(250, "250ms")]
    public void Formats_like_go(long milliseconds, string expected) =>
        Assert.Equal(expected, GoDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));
}

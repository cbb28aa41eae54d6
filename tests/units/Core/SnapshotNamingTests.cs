using VmSnapshot.Core.Snapshots;
using Xunit;

namespace VmSnapshot.Tests.Core;

public class SnapshotNamingTests
{
    [Fact]
    public void The_default_name_follows_the_openshift_console() =>
        Assert.Equal("web-01-snapshot-20261126-134501",
            SnapshotNaming.Default("web-01", new DateTime(2026, 11, 26, 13, 45, 1)));

    [Fact]
    public void A_long_vm_name_is_shortened_to_keep_the_name_valid()
    {
        string name = SnapshotNaming.Default(new string('a', 260), new DateTime(2026, 1, 1));
        Assert.Equal(SnapshotNaming.MaxLength, name.Length);
        Assert.Null(SnapshotNaming.Validate(name));
    }

    [Theory]
    [InlineData("web-snap-1")]
    [InlineData("a")]
    [InlineData("web.pre-patch.2026")]
    public void Accepts_dns1123_names(string name) => Assert.Null(SnapshotNaming.Validate(name));

    [Theory]
    [InlineData("Web-Snap", "lower case")]
    [InlineData("-web", "start and end")]
    [InlineData("web_snap", "lower case letters, digits")]
    [InlineData("web snap", "lower case letters, digits")]
    [InlineData("", "empty")]
    public void Explains_why_a_name_is_refused(string name, string reason) =>
        Assert.Contains(reason, SnapshotNaming.Validate(name));
}

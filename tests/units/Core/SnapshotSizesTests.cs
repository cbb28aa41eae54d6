using VmSnapshot.Core.Snapshots;
using Xunit;

namespace VmSnapshot.Tests.Core;

public class SnapshotSizesTests
{
    [Theory]
    [InlineData("80Gi", 85899345920L)]
    [InlineData("1073741824", 1073741824L)]
    [InlineData("10G", 10000000000L)]
    [InlineData(null, null)]
    [InlineData("", null)]
    public void Quantities_read_as_bytes(string? quantity, long? bytes) => Assert.Equal(bytes, SnapshotSizes.Bytes(quantity));

    [Fact]
    public void A_snapshot_gets_the_size_of_its_content_in_its_own_namespace_only()
    {
        Dictionary<string, long> sizes = new() { ["vms/vmsnapshot-content-1"] = 300647710720L };
        KubeVirtVMSnapshot mine = SnapshotSizes.Apply(new KubeVirtVMSnapshot { Namespace = "vms", ContentName = "vmsnapshot-content-1" }, sizes);
        KubeVirtVMSnapshot other = SnapshotSizes.Apply(new KubeVirtVMSnapshot { Namespace = "dev", ContentName = "vmsnapshot-content-1" }, sizes);
        KubeVirtVMSnapshot unread = SnapshotSizes.Apply(new KubeVirtVMSnapshot { Namespace = "vms", ContentName = "vmsnapshot-content-1" }, null);
        Assert.Equal(300647710720L, mine.Size);
        Assert.Equal(280.0, mine.SizeGB);
        Assert.Null(other.Size);
        Assert.Null(unread.SizeGB);
    }

    [Fact]
    public void Lists_and_labels_read_as_their_values()
    {
        KubeVirtVMSnapshot snapshot = new() { Indications = new[] { "GuestAgent", "Online" } };
        snapshot.Labels["schedule"] = "nightly";
        snapshot.Labels["app"] = "db";
        Assert.Equal("GuestAgent, Online", snapshot.Indications.ToString());
        Assert.Equal("app=db, schedule=nightly", snapshot.Labels.ToString());
        Assert.Equal(string.Empty, snapshot.IncludedVolumes.ToString());
        Assert.Equal(2, snapshot.Indications.Length);
    }
}

using System.Text.Json.Nodes;
using VmSnapshot.Lab.Store;
using Xunit;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Lab;

/// <summary>The store's change sets (Checkpoint-KubeVirtLab / Get-KubeVirtLabChange): every kind of change, and only changes.</summary>
public sealed class ChangeSetTests : IDisposable
{
    private readonly VmSnapshot.Lab.LabServer _lab = StartLab("empty");

    public void Dispose() => _lab.Dispose();

    private LabStore Store => _lab.Store;

    private const string Nads = "network-attachment-definitions";

    private static JsonObject Network(string name, string config) => new()
    {
        ["apiVersion"] = "k8s.cni.cncf.io/v1",
        ["kind"] = "NetworkAttachmentDefinition",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "vms" },
        ["spec"] = new JsonObject { ["config"] = config },
    };

    private static JsonObject Claim(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "PersistentVolumeClaim",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "vms" },
        ["spec"] = new JsonObject { ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["storage"] = "1Gi" } } },
        ["status"] = new JsonObject { ["phase"] = "Pending" },
    };

    private static string[] Lines(IEnumerable<StoreChange> changes)
        => changes.Select(c => $"{c.Kind} {c.Type.Kind} {c.Namespace}/{c.Name}").ToArray();

    [Fact]
    public void NothingChangedIsAnEmptySet()
    {
        Store.Seed(Network("a", "1"));
        StoreCheckpoint mark = Store.Checkpoint();
        // A write that changes nothing is no change (the store drops it, as the apiserver does).
        Store.Update(Nads, "vms", "a", o => o["spec"]!["config"] = "1");
        Assert.Empty(Store.ChangesSince(mark));
    }

    [Fact]
    public void A_rewrite_of_equal_content_is_no_change_and_a_real_change_after_it_is_one()
    {
        JsonObject claim = Claim("disk");
        claim["status"]!["conditions"] = new JsonArray(new JsonObject { ["type"] = "Resizing", ["status"] = "False" });
        Store.Seed(claim);
        string? rv = (string?)Store.Get("persistentvolumeclaims", "vms", "disk")!["metadata"]!["resourceVersion"];
        StoreCheckpoint mark = Store.Checkpoint();

        // An untouched copy, and the same content built anew with its keys in another order (as controllers rebuild
        // status arrays): neither is a write.
        JsonObject same = Store.Update("persistentvolumeclaims", "vms", "disk", _ => { });
        Store.Update("persistentvolumeclaims", "vms", "disk", o => o["status"]!["conditions"] =
            new JsonArray(new JsonObject { ["status"] = "False", ["type"] = "Resizing" }));
        Assert.Empty(Store.ChangesSince(mark));
        Assert.Equal(rv, (string?)same["metadata"]!["resourceVersion"]);
        Assert.Equal(rv, (string?)Store.Get("persistentvolumeclaims", "vms", "disk")!["metadata"]!["resourceVersion"]);

        JsonObject changed = Store.Update("persistentvolumeclaims", "vms", "disk", o => o["status"]!["phase"] = "Bound");
        Assert.Equal(["Updated PersistentVolumeClaim vms/disk"], Lines(Store.ChangesSince(mark)));
        Assert.NotEqual(rv, (string?)changed["metadata"]!["resourceVersion"]);
    }

    [Fact]
    public void Generation_moves_with_the_spec_only_however_the_spec_was_built()
    {
        Store.Seed(new JsonObject
        {
            ["apiVersion"] = "kubevirt.io/v1",
            ["kind"] = "VirtualMachine",
            ["metadata"] = new JsonObject { ["name"] = "vm", ["namespace"] = "vms" },
            ["spec"] = new JsonObject { ["runStrategy"] = "Halted", ["template"] = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["a"] = "1", ["b"] = "2" } } } },
        });
        long Generation() => (long)Store.Get("virtualmachines", "vms", "vm")!["metadata"]!["generation"]!;
        StoreCheckpoint mark = Store.Checkpoint();

        // The same spec built anew, its keys in another order and with a null the schema prunes: no write at all.
        Store.Update("virtualmachines", "vms", "vm", o => o["spec"] = new JsonObject
        {
            ["template"] = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["b"] = "2", ["a"] = "1" } } },
            ["running"] = null,
            ["runStrategy"] = "Halted",
        });
        Assert.Empty(Store.ChangesSince(mark));

        Store.Update("virtualmachines", "vms", "vm", o => o["status"] = new JsonObject { ["printableStatus"] = "Stopped" });
        Assert.Equal(1L, Generation());
        Store.Update("virtualmachines", "vms", "vm", o => o["spec"]!["runStrategy"] = "Always");
        Assert.Equal(2L, Generation());
        Store.Update("virtualmachines", "vms", "vm", o => o["spec"]!["template"]!["metadata"]!["labels"]!["c"] = "3");
        Assert.Equal(3L, Generation());
        // A part of the spec taken away is a change too.
        Store.Update("virtualmachines", "vms", "vm", o => o["spec"]!.AsObject().Remove("template"));
        Assert.Equal(4L, Generation());
    }

    [Fact]
    public void An_update_that_only_rewrites_server_fields_writes_nothing_and_a_real_one_keeps_them()
    {
        Store.Seed(Network("n", "1"));
        JsonObject before = Store.Get(Nads, "vms", "n")!;
        long rv = Store.ResourceVersion;
        StoreCheckpoint mark = Store.Checkpoint();

        // uid, creationTimestamp, resourceVersion and an empty finalizer list are the server's to set: other values
        // there change nothing, so this is no write (no new resourceVersion, no event).
        Store.Update(Nads, "vms", "n", o =>
        {
            o["metadata"]!["uid"] = "forged";
            o["metadata"]!["creationTimestamp"] = "2000-01-01T00:00:00Z";
            o["metadata"]!["resourceVersion"] = "1";
            o["metadata"]!["finalizers"] = new JsonArray();
        });
        Assert.Empty(Store.ChangesSince(mark));
        Assert.Equal(rv, Store.ResourceVersion);

        // Beside a real change, the change is written and the server's fields stay as they were.
        Store.Update(Nads, "vms", "n", o =>
        {
            o["metadata"]!["uid"] = "forged";
            o["spec"]!["config"] = "2";
        });
        JsonObject after = Store.Get(Nads, "vms", "n")!;
        Assert.Equal((string?)before["metadata"]!["uid"], (string?)after["metadata"]!["uid"]);
        Assert.Equal((string?)before["metadata"]!["creationTimestamp"], (string?)after["metadata"]!["creationTimestamp"]);
        Assert.Equal("2", (string?)after["spec"]!["config"]);
        Assert.Equal(rv + 1, Store.ResourceVersion);
        Assert.Equal((rv + 1).ToString(), (string?)after["metadata"]!["resourceVersion"]);
    }

    [Fact]
    public void CreatedUpdatedDeletedAndCreatedAndDeletedAreEachReported()
    {
        Store.Seed(Network("keep", "1"));
        Store.Seed(Network("change", "1"));
        Store.Seed(Network("gone", "1"));
        StoreCheckpoint mark = Store.Checkpoint();

        Store.Update(Nads, "vms", "change", o => o["spec"]!["config"] = "2");
        Store.Delete(Nads, "vms", "gone");
        Store.Seed(Network("new", "1"));
        Store.Seed(Network("brief", "1"));
        Store.Delete(Nads, "vms", "brief");

        IReadOnlyList<StoreChange> changes = Store.ChangesSince(mark);
        Assert.Equal(
            ["CreatedAndDeleted NetworkAttachmentDefinition vms/brief", "Updated NetworkAttachmentDefinition vms/change", "Deleted NetworkAttachmentDefinition vms/gone", "Created NetworkAttachmentDefinition vms/new"],
            Lines(changes));
        Assert.Equal(["metadata.generation", "spec.config"], changes.Single(c => c.Name == "change").ChangedPaths);
    }

    [Fact]
    public void AnObjectReplacedUnderItsNameIsTheOldUidDeletedAndTheNewCreated()
    {
        JsonObject old = Store.Seed(Claim("rootdisk"));
        StoreCheckpoint mark = Store.Checkpoint();
        Store.Delete("persistentvolumeclaims", "vms", "rootdisk");
        JsonObject replacement = Store.Seed(Claim("rootdisk"));

        IReadOnlyList<StoreChange> changes = Store.ChangesSince(mark);
        Assert.Equal(["Deleted PersistentVolumeClaim vms/rootdisk", "Created PersistentVolumeClaim vms/rootdisk"], Lines(changes));
        Assert.Equal((string?)old["metadata"]!["uid"], changes[0].Uid);
        Assert.Equal((string?)replacement["metadata"]!["uid"], changes[1].Uid);
    }

    [Fact]
    public void StatusChangesCountUnlessIgnored()
    {
        Store.Seed(Claim("data"));
        Store.Seed(Claim("labelled"));
        StoreCheckpoint mark = Store.Checkpoint();
        Store.Update("persistentvolumeclaims", "vms", "data", o => o["status"]!["phase"] = "Bound");
        Store.Update("persistentvolumeclaims", "vms", "labelled", o =>
        {
            o["status"]!["phase"] = "Bound";
            o["metadata"]!["labels"] = new JsonObject { ["team"] = "db" };
        });

        Assert.Equal(["Updated PersistentVolumeClaim vms/data", "Updated PersistentVolumeClaim vms/labelled"], Lines(Store.ChangesSince(mark)));
        IReadOnlyList<StoreChange> ignoring = Store.ChangesSince(mark, ignoreStatus: true);
        Assert.Equal(["Updated PersistentVolumeClaim vms/labelled"], Lines(ignoring));
        Assert.Equal(["metadata.labels"], ignoring[0].ChangedPaths);
    }

    [Fact]
    public void ResourceVersionAndManagedFieldsNeverCount()
    {
        JsonObject before = new()
        {
            ["metadata"] = new JsonObject { ["resourceVersion"] = "1", ["managedFields"] = new JsonArray(new JsonObject { ["manager"] = "a" }) },
            ["spec"] = new JsonObject { ["x"] = 1 },
        };
        JsonObject after = new()
        {
            ["metadata"] = new JsonObject { ["resourceVersion"] = "9", ["managedFields"] = new JsonArray(new JsonObject { ["manager"] = "b" }) },
            ["spec"] = new JsonObject { ["x"] = 1 },
        };
        Assert.Empty(LabStore.ChangedPaths(before, after, ignoreStatus: false));
        after["spec"]!["x"] = 2;
        Assert.Equal(["spec.x"], LabStore.ChangedPaths(before, after, ignoreStatus: false));
    }

    [Fact]
    public void CheckpointsAreIndependent()
    {
        Store.Seed(Network("existing", "1"));
        StoreCheckpoint first = Store.Checkpoint();
        Store.Seed(Network("a", "1"));
        StoreCheckpoint second = Store.Checkpoint();
        Store.Seed(Network("b", "1"));

        Assert.Equal(["Created NetworkAttachmentDefinition vms/a", "Created NetworkAttachmentDefinition vms/b"], Lines(Store.ChangesSince(first)));
        Assert.Equal(["Created NetworkAttachmentDefinition vms/b"], Lines(Store.ChangesSince(second)));
    }
}

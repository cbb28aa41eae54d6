using System.Text.Json.Nodes;
using VmSnapshot.Lab.Store;
using Xunit;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Lab;

/// <summary>The store's field indexes, which the controllers' watch mappers look objects up by.</summary>
public sealed class FieldIndexTests : IDisposable
{
    private readonly VmSnapshot.Lab.LabServer _lab = StartLab("empty");

    public void Dispose() => _lab.Dispose();

    private LabStore Store => _lab.Store;

    private static JsonObject Claim(string name, string app) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "PersistentVolumeClaim",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "vms", ["annotations"] = new JsonObject { ["app"] = app } },
        ["spec"] = new JsonObject { ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["storage"] = "1Gi" } } },
    };

    private static IEnumerable<string> App(JsonObject o) => [(string?)o["metadata"]?["annotations"]?["app"] ?? ""];

    [Fact]
    public void An_index_follows_creates_updates_and_deletes()
    {
        Store.Seed(Claim("before-index", "web"));
        Store.AddIndex("persistentvolumeclaims", "app", App);
        Assert.Equal(["before-index"], Store.Lookup("persistentvolumeclaims", "app", "vms", "web"));

        Store.Seed(Claim("second", "web"));
        Assert.Equal(["before-index", "second"], Store.Lookup("persistentvolumeclaims", "app", "vms", "web").Order());

        Store.Update("persistentvolumeclaims", "vms", "second", o => o["metadata"]!["annotations"]!["app"] = "db");
        Assert.Equal(["before-index"], Store.Lookup("persistentvolumeclaims", "app", "vms", "web"));
        Assert.Equal(["second"], Store.Lookup("persistentvolumeclaims", "app", "vms", "db"));

        Store.Delete("persistentvolumeclaims", "vms", "before-index");
        Assert.Empty(Store.Lookup("persistentvolumeclaims", "app", "vms", "web"));
        Assert.Empty(Store.Lookup("persistentvolumeclaims", "app", "other", "db"));   // per namespace
    }

    [Fact]
    public void An_index_that_was_never_added_is_an_error_not_an_empty_answer()
    {
        Assert.Throws<InvalidOperationException>(() => Store.Lookup("persistentvolumeclaims", "nope", "vms", "x"));
    }
}

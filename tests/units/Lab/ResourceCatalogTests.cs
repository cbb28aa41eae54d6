using System.Text.Json.Nodes;
using VmSnapshot.Lab;
using VmSnapshot.Lab.Api;
using VmSnapshot.Lab.Store;
using Xunit;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Lab;

/// <summary>The generic server's catalog: built-ins only until add-ons register, and registration only before the store exists.</summary>
public sealed class ResourceCatalogTests
{
    private static ResourceType Widget() => new()
    {
        Group = "example.com", Versions = ["v1"], Kind = "Widget", Plural = "widgets", Singular = "widget",
    };

    [Fact]
    public void ABareCatalogServesOnlyTheKubeApiserverBuiltIns()
    {
        ResourceCatalog catalog = new();
        Assert.Equal(["storage.k8s.io", "authentication.k8s.io", "authorization.k8s.io"], catalog.Groups);
        Assert.Equal(
            ["namespaces", "persistentvolumeclaims", "pods", "persistentvolumes", "events", "storageclasses.storage.k8s.io",
             "selfsubjectreviews.authentication.k8s.io", "selfsubjectaccessreviews.authorization.k8s.io", "selfsubjectrulesreviews.authorization.k8s.io"],
            catalog.All.Select(t => t.QualifiedResource));
    }

    [Fact]
    public void ARegisteredKindIsResolvedAndListedAfterTheBuiltIns()
    {
        ResourceCatalog catalog = new();
        int builtIns = catalog.All.Count;
        catalog.Register(Widget());
        Assert.Equal(builtIns + 1, catalog.All.Count);
        Assert.Equal("widgets.example.com", catalog.All[^1].QualifiedResource);
        Assert.Equal("widgets.example.com", catalog.Resolve("widget").QualifiedResource);
    }

    [Fact]
    public void RegisteringAKindTwiceIsRefused()
    {
        ResourceCatalog catalog = new();
        catalog.Register(Widget());
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => catalog.Register(Widget()));
        Assert.Equal("widgets.example.com is already registered.", error.Message);
        Assert.Single(catalog.All, t => t.Plural == "widgets");
    }

    [Fact]
    public void RegisteringAfterTheStoreIsBuiltIsRefused()
    {
        ResourceCatalog catalog = new();
        int before = catalog.All.Count;
        using LabStore store = new(catalog);
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => catalog.Register(Widget()));
        Assert.Equal("Register widgets.example.com before the store is built.", error.Message);
        Assert.Equal(before, catalog.All.Count);
    }

    [Fact]
    public async Task VolumeSnapshotClassTableColumnsAreTheCrdYamlPrinterColumns()
    {
        using LabServer lab = StartLab();
        using HttpClient http = Http(lab);
        (int code, JsonNode? table) = await GetAsync(http, "/apis/snapshot.storage.k8s.io/v1/volumesnapshotclasses", "application/json;as=Table;v=v1;g=meta.k8s.io");
        Assert.Equal(200, code);
        JsonArray columns = table!["columnDefinitions"]!.AsArray();
        Assert.Equal(["Name", "Driver", "DeletionPolicy", "Age"], columns.Select(c => (string?)c!["name"]));
        // The description is the CRD's own (client/config/crd in external-snapshotter), not the generic JSONPath one.
        Assert.Equal(
            "Determines whether a VolumeSnapshotContent created through the VolumeSnapshotClass should be deleted when its bound VolumeSnapshot is deleted.",
            (string?)columns[2]!["description"]);
        Assert.Equal("Custom resource definition column (in JSONPath format): .driver", (string?)columns[1]!["description"]);
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using VmSnapshot.Lab;
using VmSnapshot.Lab.Api;
using VmSnapshot.Tests.Lab;
using Xunit;
using static VmSnapshot.Tests.Controllers.ControllerTestSupport;

namespace VmSnapshot.Tests.Controllers;

/// <summary>
/// The lab's storage as a real cluster holds it, seen through KubernetesClient (and kubectl): the
/// StorageObjectInUseProtection admission plugin's finalizers, CDI's ownership of DataVolume claims, the
/// PersistentVolumes of Bound claims, the external-snapshotter's finalizers, deletion and events, and the claim
/// metadata KubeVirt keeps in a snapshot content's volumeBackups.
/// </summary>
public sealed class StorageConformanceTests : IDisposable
{
    private const string SnapshotGroup = "snapshot.storage.k8s.io";
    private const string PvcProtection = "kubernetes.io/pvc-protection";
    private const string AsSource = "snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection";
    private const string Bound = "snapshot.storage.kubernetes.io/volumesnapshot-bound-protection";
    private const string ContentBound = "snapshot.storage.kubernetes.io/volumesnapshotcontent-bound-protection";
    private const string PvcAsSource = "snapshot.storage.kubernetes.io/pvc-as-source-protection";

    private readonly LabServer _lab = StartControlledLab();
    private readonly Kubernetes _client;

    public StorageConformanceTests() => _client = Client(_lab);

    public void Dispose()
    {
        _client.Dispose();
        DisposeAndCheck(_lab);
    }

    [Fact]
    public async Task A_claim_and_a_volume_created_by_a_client_are_answered_with_their_protection_finalizers()
    {
        V1PersistentVolumeClaim claim = await _client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(Claim("answered"), "vms");
        V1PersistentVolume volume = await _client.CoreV1.CreatePersistentVolumeAsync(new V1PersistentVolume
        {
            ApiVersion = "v1",
            Kind = "PersistentVolume",
            Metadata = new V1ObjectMeta { Name = "static-pv", Finalizers = ["example.com/keep"] },
            Spec = new V1PersistentVolumeSpec
            {
                Capacity = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") },
                AccessModes = ["ReadWriteOnce"],
                Csi = new V1CSIPersistentVolumeSource { Driver = "csi.trident.netapp.io", VolumeHandle = "static" },
            },
        });

        Assert.Equal([PvcProtection], claim.Metadata.Finalizers);
        Assert.Equal(["example.com/keep", "kubernetes.io/pv-protection"], volume.Metadata.Finalizers);
    }

    [SkippableFact]
    public async Task Kubectl_create_of_a_claim_prints_the_pvc_protection_finalizer()
    {
        Skip.IfNot(KubectlRunner.Available, "kubectl is not installed at /usr/bin/kubectl");
        using LabServer tls = StartControlledLab(tls: true); // kubectl sends its token only over https
        KubectlRunner kubectl = new(tls);
        string manifest = """
            {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"by-kubectl","namespace":"vms"},
             "spec":{"accessModes":["ReadWriteOnce"],"storageClassName":"trident-svm","resources":{"requests":{"storage":"1Gi"}}}}
            """;

        KubectlRunner.Result created = await kubectl.RunAsync(TimeSpan.FromSeconds(60), manifest, "create", "-f", "-", "-o", "jsonpath={.metadata.finalizers}");

        Assert.True(created.ExitCode == 0, created.Err);
        Assert.Equal("[\"kubernetes.io/pvc-protection\"]", created.Out);
    }

    [Fact]
    public async Task A_DataVolume_claim_is_owned_by_its_DataVolume_as_CDI_creates_it()
    {
        JsonObject dv = (await Custom("cdi.kubevirt.io", "v1beta1", "vms", "datavolumes", "rhel8-brainy-bear-rootdisk"))!;
        V1PersistentVolumeClaim claim = await _client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("rhel8-brainy-bear-rootdisk", "vms");
        V1PersistentVolumeClaim plain = await _client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("win2k19-profound-gecko-data", "vms");

        V1OwnerReference owner = Assert.Single(claim.Metadata.OwnerReferences);
        Assert.Equal(("cdi.kubevirt.io/v1beta1", "DataVolume", "rhel8-brainy-bear-rootdisk", Str(dv, "metadata", "uid")),
            (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid));
        Assert.True(owner.Controller);
        Assert.True(owner.BlockOwnerDeletion);
        Assert.Null(plain.Metadata.OwnerReferences);
    }

    [Fact]
    public async Task Every_Bound_claim_has_its_PersistentVolume_bound_back_to_it()
    {
        V1PersistentVolumeClaimList claims = await _client.CoreV1.ListNamespacedPersistentVolumeClaimAsync("vms");
        List<V1PersistentVolumeClaim> bound = claims.Items.Where(c => c.Status?.Phase == "Bound").ToList();
        Assert.NotEmpty(bound);

        foreach (V1PersistentVolumeClaim claim in bound)
        {
            V1PersistentVolume pv = await _client.CoreV1.ReadPersistentVolumeAsync(claim.Spec.VolumeName);
            V1StorageClass sc = await _client.StorageV1.ReadStorageClassAsync(claim.Spec.StorageClassName);
            Assert.Equal((claim.Metadata.Name, "vms", claim.Metadata.Uid), (pv.Spec.ClaimRef.Name, pv.Spec.ClaimRef.NamespaceProperty, pv.Spec.ClaimRef.Uid));
            Assert.Equal("Bound", pv.Status.Phase);
            Assert.Equal(sc.Provisioner, pv.Metadata.Annotations["pv.kubernetes.io/provisioned-by"]);
            Assert.Equal(sc.ReclaimPolicy, pv.Spec.PersistentVolumeReclaimPolicy);
            Assert.Equal(claim.Spec.StorageClassName, pv.Spec.StorageClassName);
            Assert.Equal(claim.Status.Capacity["storage"], pv.Spec.Capacity["storage"]);
            Assert.Equal(["kubernetes.io/pv-protection"], pv.Metadata.Finalizers);
            Assert.Equal("yes", claim.Metadata.Annotations["pv.kubernetes.io/bind-completed"]);
            Assert.Equal(sc.Provisioner, claim.Metadata.Annotations["volume.kubernetes.io/storage-provisioner"]);
        }
    }

    [Fact]
    public async Task A_VolumeSnapshot_carries_the_snapshotter_finalizers_and_protects_its_source_claim_until_ready()
    {
        using HttpClient http = LabTestSupport.Http(_lab);
        await using WatchRecorder claims = new(http, "persistentvolumeclaims", "vms", "centos-stopped-rootdisk");

        await CreateVolumeSnapshot("protected", "centos-stopped-rootdisk", "csi-snapclass");
        JsonObject ready = (await Until(() => Custom(SnapshotGroup, "v1", "vms", "volumesnapshots", "protected"), vs => vs?["status"]?["readyToUse"]?.GetValue<bool>() == true))!;
        V1PersistentVolumeClaim after = await Until(() => _client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("centos-stopped-rootdisk", "vms"),
            c => !(c.Metadata.Finalizers ?? []).Contains(PvcAsSource));

        Assert.Equal([AsSource, Bound], Strings(ready["metadata"]!["finalizers"]));
        JsonObject content = (await ClusterCustom(SnapshotGroup, "v1", "volumesnapshotcontents", Str(ready, "status", "boundVolumeSnapshotContentName")!))!;
        Assert.Equal([ContentBound], Strings(content["metadata"]!["finalizers"]));
        Assert.Contains(claims.Versions, c => Strings(c["metadata"]!["finalizers"]).SequenceEqual([PvcProtection, PvcAsSource]));
        Assert.Equal([PvcProtection], after.Metadata.Finalizers);
    }

    [Fact]
    public async Task Scenario_VolumeSnapshots_have_their_contents_and_the_snapshotter_finalizers()
    {
        JsonArray snapshots = Parse(await _client.CustomObjects.ListNamespacedCustomObjectAsync(SnapshotGroup, "v1", "vms", "volumesnapshots"))["items"]!.AsArray();
        Assert.NotEmpty(snapshots);

        foreach (JsonObject vs in snapshots.Select(v => v!.AsObject()))
        {
            JsonObject content = (await ClusterCustom(SnapshotGroup, "v1", "volumesnapshotcontents", Str(vs, "status", "boundVolumeSnapshotContentName")!))!;
            V1PersistentVolumeClaim claim = await _client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync(Str(vs, "spec", "source", "persistentVolumeClaimName"), "vms");
            Assert.Equal([AsSource, Bound], Strings(vs["metadata"]!["finalizers"]));
            Assert.Equal([ContentBound], Strings(content["metadata"]!["finalizers"]));
            Assert.Equal((Str(vs, "metadata", "name"), "vms", Str(vs, "metadata", "uid")),
                (Str(content, "spec", "volumeSnapshotRef", "name"), Str(content, "spec", "volumeSnapshotRef", "namespace"), Str(content, "spec", "volumeSnapshotRef", "uid")));
            Assert.Equal(("Delete", "csi.trident.netapp.io", "csi-snapclass", claim.Spec.VolumeName),
                (Str(content, "spec", "deletionPolicy"), Str(content, "spec", "driver"), Str(content, "spec", "volumeSnapshotClassName"), Str(content, "spec", "source", "volumeHandle")));
            Assert.True(content["status"]!["readyToUse"]!.GetValue<bool>());
            Assert.Equal(new ResourceQuantity(Str(vs, "status", "restoreSize")).ToInt64(), content["status"]!["restoreSize"]!.GetValue<long>());
            Assert.Equal(DateTime.Parse(Str(vs, "status", "creationTime")!, null, System.Globalization.DateTimeStyles.AdjustToUniversal),
                DateTime.UnixEpoch.AddTicks(content["status"]!["creationTime"]!.GetValue<long>() / 100));
        }
    }

    [Fact]
    public async Task Deleting_a_VolumeSnapshot_with_policy_Delete_holds_it_until_its_content_is_gone()
    {
        using HttpClient http = LabTestSupport.Http(_lab);
        await CreateVolumeSnapshot("doomed", "centos-stopped-rootdisk", "csi-snapclass");
        JsonObject ready = (await Until(() => Custom(SnapshotGroup, "v1", "vms", "volumesnapshots", "doomed"), vs => vs?["status"]?["readyToUse"]?.GetValue<bool>() == true))!;
        string contentName = Str(ready, "status", "boundVolumeSnapshotContentName")!;
        await using WatchRecorder snapshots = new(http, "volumesnapshots", "vms", "doomed");

        await _client.CustomObjects.DeleteNamespacedCustomObjectAsync(SnapshotGroup, "v1", "vms", "volumesnapshots", "doomed");
        await Until(() => Custom(SnapshotGroup, "v1", "vms", "volumesnapshots", "doomed"), vs => vs == null);

        Assert.Null(await ClusterCustom(SnapshotGroup, "v1", "volumesnapshotcontents", contentName));
        JsonObject deleting = snapshots.Versions.First(v => v["metadata"]?["deletionTimestamp"] != null);
        Assert.Equal([AsSource, Bound], Strings(deleting["metadata"]!["finalizers"]));
        Assert.Contains(snapshots.Versions, v => v["metadata"]?["deletionTimestamp"] != null && Strings(v["metadata"]!["finalizers"]).SequenceEqual([Bound]));
    }

    [Fact]
    public async Task A_retained_content_outlives_its_VolumeSnapshot_marked_being_deleted_and_goes_once_deleted()
    {
        await _client.CustomObjects.CreateClusterCustomObjectAsync(JsonNode.Parse("""
            {"apiVersion":"snapshot.storage.k8s.io/v1","kind":"VolumeSnapshotClass","metadata":{"name":"retain"},
             "driver":"csi.trident.netapp.io","deletionPolicy":"Retain"}
            """)!, SnapshotGroup, "v1", "volumesnapshotclasses");
        await CreateVolumeSnapshot("kept", "centos-stopped-rootdisk", "retain");
        JsonObject ready = (await Until(() => Custom(SnapshotGroup, "v1", "vms", "volumesnapshots", "kept"), vs => vs?["status"]?["readyToUse"]?.GetValue<bool>() == true))!;
        string contentName = Str(ready, "status", "boundVolumeSnapshotContentName")!;

        await _client.CustomObjects.DeleteNamespacedCustomObjectAsync(SnapshotGroup, "v1", "vms", "volumesnapshots", "kept");
        await Until(() => Custom(SnapshotGroup, "v1", "vms", "volumesnapshots", "kept"), vs => vs == null);
        JsonObject orphan = (await ClusterCustom(SnapshotGroup, "v1", "volumesnapshotcontents", contentName))!;
        await _client.CustomObjects.DeleteClusterCustomObjectAsync(SnapshotGroup, "v1", "volumesnapshotcontents", contentName);
        JsonObject? gone = await Until(() => ClusterCustom(SnapshotGroup, "v1", "volumesnapshotcontents", contentName), c => c == null);

        Assert.Equal([AsSource], Strings(ready["metadata"]!["finalizers"])); // no bound-protection for a Retain content
        Assert.Equal([ContentBound], Strings(orphan["metadata"]!["finalizers"]));
        Assert.Equal("yes", Str(orphan, "metadata", "annotations", "snapshot.storage.kubernetes.io/volumesnapshot-being-deleted"));
        Assert.Null(orphan["metadata"]!["deletionTimestamp"]);
        Assert.Null(gone);
    }

    [Fact]
    public async Task A_deleted_namespace_stays_deleted_while_controllers_still_work_on_its_objects()
    {
        // Running VMs, their pods and events: the controllers that were busy with them must not bring the namespace
        // back by creating in it (the apiserver answers NotFound for a create in a namespace that is gone).
        await _client.CoreV1.DeleteNamespacedPersistentVolumeClaimAsync("rhel8-brainy-bear-rootdisk", "vms"); // in use: stays Terminating
        await _client.CoreV1.DeleteNamespaceAsync("vms");
        _lab.Controllers!.WaitForIdle(TimeSpan.FromSeconds(10));
        await Task.Delay(500);

        HttpOperationException missing = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReadNamespaceAsync("vms"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.Response.StatusCode);
        Assert.Empty((await _client.CoreV1.ListNamespacedPodAsync("vms")).Items);
    }

    [Fact]
    public void A_controller_create_in_a_missing_namespace_is_NotFound_and_leaves_the_namespace_missing()
    {
        // The mechanism behind the test above: what controllers write goes through Store.Create, which answers a
        // create in a namespace that is gone as the apiserver does; only a scenario's Seed makes its namespaces.
        JsonObject pod() => new()
        {
            ["apiVersion"] = "v1", ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = "p", ["namespace"] = "gone" },
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "i" }) },
        };

        ApiException refused = Assert.Throws<ApiException>(() => _lab.Store.Create(pod()));
        Assert.Equal(404, refused.Code);
        Assert.Null(_lab.Store.Get("namespaces", null, "gone"));

        _lab.Store.Seed(pod());
        Assert.NotNull(_lab.Store.Get("namespaces", null, "gone"));
    }

    [Fact]
    public async Task The_snapshot_controller_records_CreatingSnapshot_SnapshotCreated_and_SnapshotReady()
    {
        await CreateVolumeSnapshot("evented", "centos-stopped-rootdisk", "csi-snapclass");
        await Until(() => Custom(SnapshotGroup, "v1", "vms", "volumesnapshots", "evented"), vs => vs?["status"]?["readyToUse"]?.GetValue<bool>() == true);

        Corev1EventList events = await _client.CoreV1.ListNamespacedEventAsync("vms", fieldSelector: "involvedObject.name=evented");

        Assert.Equal(
            [
                ("CreatingSnapshot", "Waiting for a snapshot vms/evented to be created by the CSI driver."),
                ("SnapshotCreated", "Snapshot vms/evented was successfully created by the CSI driver."),
                ("SnapshotReady", "Snapshot vms/evented is ready to use."),
            ],
            events.Items.OrderBy(e => e.Metadata.ResourceVersion.PadLeft(20, '0')).Select(e => (e.Reason, e.Message)).ToArray());
        Assert.All(events.Items, e => Assert.Equal(("Normal", "VolumeSnapshot", "snapshot-controller"), (e.Type, e.InvolvedObject.Kind, e.Source.Component)));
    }

    [Fact]
    public async Task Volume_backups_keep_the_claims_whole_metadata_except_managedFields()
    {
        await _client.CoreV1.PatchNamespacedPersistentVolumeClaimAsync(new V1Patch("""{"metadata":{"labels":{"tier":"gold"}}}""", V1Patch.PatchType.MergePatch),
            "rhel8-brainy-bear-rootdisk", "vms", fieldManager: "storage-test");
        V1PersistentVolumeClaim claim = await _client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("rhel8-brainy-bear-rootdisk", "vms");
        Assert.NotNull(claim.Metadata.ManagedFields);
        JsonObject snap = JsonNode.Parse(SnapshotJson("meta", "rhel8-brainy-bear"))!.AsObject();
        await _client.CustomObjects.CreateNamespacedCustomObjectAsync(snap, "snapshot.kubevirt.io", "v1beta1", "vms", "virtualmachinesnapshots");
        JsonObject created = (await Until(() => Custom("snapshot.kubevirt.io", "v1beta1", "vms", "virtualmachinesnapshots", "meta"), s => Str(s, "status", "virtualMachineSnapshotContentName") != null))!;

        JsonObject content = (await Custom("snapshot.kubevirt.io", "v1beta1", "vms", "virtualmachinesnapshotcontents", Str(created, "status", "virtualMachineSnapshotContentName")!))!;
        JsonObject kept = content["spec"]!["volumeBackups"]!.AsArray().Single(b => Str(b, "volumeName") == "rootdisk")!["persistentVolumeClaim"]!["metadata"]!.AsObject();

        Assert.Equal(claim.Metadata.Uid, Str(kept, "uid"));
        Assert.Equal(claim.Metadata.ResourceVersion, Str(kept, "resourceVersion"));
        Assert.Equal(claim.Metadata.CreationTimestamp!.Value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), Str(kept, "creationTimestamp"));
        Assert.Equal("gold", Str(kept, "labels", "tier"));
        Assert.Equal("yes", Str(kept, "annotations", "pv.kubernetes.io/bind-completed"));
        Assert.Equal(claim.Metadata.OwnerReferences.Single().Uid, Str(kept["ownerReferences"]![0], "uid"));
        Assert.Equal(claim.Metadata.Finalizers, Strings(kept["finalizers"]));
        Assert.False(kept.ContainsKey("managedFields"));
    }

    private static V1PersistentVolumeClaim Claim(string name) => new()
    {
        ApiVersion = "v1",
        Kind = "PersistentVolumeClaim",
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PersistentVolumeClaimSpec
        {
            AccessModes = ["ReadWriteOnce"],
            StorageClassName = "trident-svm",
            Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") } },
        },
    };

    private Task<object> CreateVolumeSnapshot(string name, string claim, string className) => _client.CustomObjects.CreateNamespacedCustomObjectAsync(
        new JsonObject
        {
            ["apiVersion"] = "snapshot.storage.k8s.io/v1", ["kind"] = "VolumeSnapshot",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject { ["volumeSnapshotClassName"] = className, ["source"] = new JsonObject { ["persistentVolumeClaimName"] = claim } },
        }, SnapshotGroup, "v1", "vms", "volumesnapshots");

    private async Task<JsonObject?> Custom(string group, string version, string ns, string plural, string name)
    {
        try { return Parse(await _client.CustomObjects.GetNamespacedCustomObjectAsync(group, version, ns, plural, name)); }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound) { return null; }
    }

    private async Task<JsonObject?> ClusterCustom(string group, string version, string plural, string name)
    {
        try { return Parse(await _client.CustomObjects.GetClusterCustomObjectAsync(group, version, plural, name)); }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound) { return null; }
    }

    private static JsonObject Parse(object o) => JsonNode.Parse(((JsonElement)o).GetRawText())!.AsObject();

    /// <summary>Polls every 10 ms until the condition holds; fails with the last value after 10 s.</summary>
    private static async Task<T> Until<T>(Func<Task<T>> read, Func<T, bool> condition)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        T last = await read();
        while (!condition(last))
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out; last seen: {JsonSerializer.Serialize(last)}");
            await Task.Delay(10);
            last = await read();
        }
        return last;
    }
}

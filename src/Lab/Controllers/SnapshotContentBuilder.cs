using System.Text.Json.Nodes;
using VmSnapshot.Lab.Store;
using static VmSnapshot.Lab.Controllers.SnapshotNames;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// Builds the VirtualMachineSnapshotContent of a locked VM (reference §4.1 item 3): the VM as the snapshot's
/// source (offline: the current spec; online: the spec the VMI was started from, with volumes, disks and
/// dataVolumeTemplates from the current spec), and one volumeBackup per PVC-backed volume that is Bound, has a
/// StorageClass and a VolumeSnapshotClass for it; other volumes are silently left out.
/// </summary>
internal static class SnapshotContentBuilder
{
    public static JsonObject Create(ControllerHost host, JsonObject snap, JsonObject vm)
    {
        LabStore store = host.Store;
        string? ns = Obj.Namespace(snap);
        string uid = Obj.Uid(snap);
        JsonArray backups = new();
        foreach (JsonObject volume in VmVolumes.Of(vm))
        {
            string? claim = VmVolumes.ClaimName(volume);
            if (claim == null) continue;
            JsonObject? pvc = store.Get(Plurals.PersistentVolumeClaims, ns, claim);
            if (pvc == null || Obj.Str(pvc, "status", "phase") != "Bound") continue;
            string? sc = Obj.Str(pvc, "spec", "storageClassName");
            if (string.IsNullOrEmpty(sc)) continue;
            try { if (SnapshotClassResolver.Resolve(store, sc).Length == 0) continue; }
            catch (SnapshotClassException) { continue; }
            string volumeName = Obj.Str(volume, "name") ?? "";
            backups.Add(new JsonObject
            {
                ["volumeName"] = volumeName,
                ["persistentVolumeClaim"] = new JsonObject { ["metadata"] = ClaimMetadata(pvc), ["spec"] = Obj.Clone(pvc["spec"]) },
                ["volumeSnapshotName"] = VolumeSnapshot(uid, volumeName),
            });
        }
        return store.Create(new JsonObject
        {
            ["apiVersion"] = "snapshot.kubevirt.io/v1beta1",
            ["kind"] = "VirtualMachineSnapshotContent",
            ["metadata"] = new JsonObject
            {
                ["name"] = Content(uid),
                ["namespace"] = ns,
                ["finalizers"] = new JsonArray(ContentFinalizer),
            },
            ["spec"] = new JsonObject
            {
                ["source"] = new JsonObject { ["virtualMachine"] = SourceVm(host, vm) },
                ["virtualMachineSnapshotName"] = Obj.Name(snap),
                ["volumeBackups"] = backups,
            },
        });
    }

    private static JsonObject SourceVm(ControllerHost host, JsonObject vm)
    {
        JsonObject spec = (JsonObject)(vm["spec"]?.DeepClone() ?? new JsonObject());
        JsonObject? vmi = host.Store.Get(Plurals.VirtualMachineInstances, Obj.Namespace(vm), Obj.Name(vm));
        string? revision = Obj.Str(vmi, "status", "virtualMachineRevisionName");
        if (vmi != null && revision != null && host.Revisions.TryGetValue(revision, out JsonObject? started))
        {
            // Online: what is running, except the storage layout, which is the current one ([test_id:6767]).
            JsonObject running = (JsonObject)started.DeepClone();
            JsonObject runningTemplate = Obj.Child(Obj.Child(running, "template"), "spec");
            runningTemplate["volumes"] = Obj.Clone(spec["template"]?["spec"]?["volumes"]);
            Obj.Child(Obj.Child(runningTemplate, "domain"), "devices")["disks"] = Obj.Clone(spec["template"]?["spec"]?["domain"]?["devices"]?["disks"]);
            running["dataVolumeTemplates"] = Obj.Clone(spec["dataVolumeTemplates"]);
            spec = running;
        }
        JsonObject meta = new()
        {
            ["name"] = Obj.Name(vm),
            ["namespace"] = Obj.Namespace(vm),
            ["uid"] = Obj.Uid(vm),
            ["creationTimestamp"] = Obj.Str(vm, "metadata", "creationTimestamp"),
            ["generation"] = Obj.Clone(vm["metadata"]?["generation"]),
            ["labels"] = Obj.Clone(vm["metadata"]?["labels"]),
            ["annotations"] = Obj.Clone(vm["metadata"]?["annotations"]),
        };
        return new JsonObject { ["metadata"] = meta, ["spec"] = spec, ["status"] = new JsonObject() };
    }

    /// <summary>
    /// The claim's whole ObjectMeta as the informer holds it (uid, resourceVersion, creationTimestamp, labels,
    /// annotations, ownerReferences, finalizers, ...) without managedFields: snapshot/util.go getSimplifiedMetaObject,
    /// called by snapshot.go createContent.
    /// </summary>
    private static JsonObject ClaimMetadata(JsonObject pvc)
    {
        JsonObject meta = (JsonObject)(pvc["metadata"]?.DeepClone() ?? new JsonObject());
        meta.Remove("managedFields");
        return meta;
    }
}

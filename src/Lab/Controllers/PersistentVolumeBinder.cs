using System.Text.Json.Nodes;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// The PV controller and external-provisioner in one: a Pending PVC gets a fake PersistentVolume pvc-&lt;uid&gt;
/// after its class's bindDelay and becomes Bound; a PVC whose dataSource is a VolumeSnapshot waits until that
/// snapshot is readyToUse and gets max(request, restoreSize). Also the pvc-protection admission plugin and controller:
/// every claim gets the kubernetes.io/pvc-protection finalizer, which goes once the claim is being deleted and no
/// running VMI uses it (pkg/controller/volume/pvcprotection/pvc_protection_controller.go), and the PV goes with its PVC.
/// </summary>
internal sealed class PersistentVolumeBinder(ControllerHost host) : Controller(host)
{
    private const string Protection = Api.StorageObjectInUseProtection.PvcProtection;
    private readonly Dictionary<string, DateTime> _firstSeen = new(StringComparer.Ordinal);

    public override string Name => "persistentvolume-binder";

    private const string ByClaim = "claimRef";

    public override void AddIndexes()
    {
        Store.AddIndex(Plurals.PersistentVolumes, ByClaim,
            pv => Obj.Str(pv, "spec", "claimRef", "name") is string claim ? [$"{Obj.Str(pv, "spec", "claimRef", "namespace")}/{claim}"] : []);
        StorageIndexes.Add(Store);
    }

    public override IEnumerable<ControllerWatch> Watches() =>
    [
        Own(Plurals.PersistentVolumeClaims),
        new(Plurals.VolumeSnapshots, e => Lookup(Plurals.PersistentVolumeClaims, StorageIndexes.ClaimsByDataSource, e.Object!.Namespace, e.Object.Name)),
        new(Plurals.VirtualMachineInstances, e => e.Type == "DELETED" || e.Object!.ToJson()["metadata"]?["deletionTimestamp"] != null
            ? ClaimsIn(e.Object!.Namespace, Obj.Deleting) : []),
    ];

    private IEnumerable<ObjectKey> ClaimsIn(string? ns, Func<JsonObject, bool> filter)
        => Store.List(Plurals.PersistentVolumeClaims, ns).Where(filter).Select(p => new ObjectKey(ns, Obj.Name(p)));

    public override void Reconcile(ObjectKey key)
    {
        JsonObject? pvc = Store.Get(Plurals.PersistentVolumeClaims, key.Namespace, key.Name);
        ReleaseVolumes(key, pvc);
        if (pvc == null) return;
        if (Obj.Deleting(pvc)) { Unprotect(key, pvc); return; }
        if (!Obj.HasFinalizer(pvc, Protection))
        {
            // Every claim carries the finalizer from its creation: kube-apiserver's StorageObjectInUseProtection admission
            // plugin adds it (plugin/pkg/admission/storage/storageobjectinuseprotection/admission.go, Admit; the lab's is
            // Api/StorageObjectInUseProtection, and SeededStorage does it for the scenario). Claims the lab's controllers
            // write in-process skip admission, so they get it here, on the binder's first pass.
            Store.Change(Plurals.PersistentVolumeClaims, key.Namespace, key.Name, o => Obj.AddFinalizer(o, Protection));
            return; // the update requeues this claim
        }
        if (Obj.Str(pvc, "status", "phase") == "Bound") return;

        string uid = Obj.Uid(pvc);
        string? storageClass = Host.Storage.ClassOf(pvc);
        JsonObject? sc = storageClass == null ? null : Store.Get(Plurals.StorageClasses, null, storageClass);
        if (sc == null) { SetPending(key); return; }
        string request = Obj.Str(pvc, "spec", "resources", "requests", "storage") ?? "1Gi";
        string capacity = request;
        if (pvc["spec"]?["dataSource"] is JsonObject source && Obj.Str(source, "kind") == "VolumeSnapshot")
        {
            JsonObject? vs = Store.Get(Plurals.VolumeSnapshots, key.Namespace, Obj.Str(source, "name") ?? "");
            if (vs == null || Obj.Bool(vs["status"]?["readyToUse"]) != true) { SetPending(key); return; }
            string? restoreSize = Obj.Str(vs, "status", "restoreSize");
            if (Obj.QuantityBytes(restoreSize) > Obj.QuantityBytes(request)) capacity = restoreSize!;
        }
        if (!_firstSeen.TryGetValue(uid, out DateTime seen)) _firstSeen[uid] = seen = LabNow;
        DateTime due = seen + Host.Storage.For(storageClass).BindDelay;
        if (LabNow < due) { SetPending(key); Requeue(key, due - LabNow); return; }

        string pvName = $"pvc-{uid}";
        string provisioner = Obj.Str(sc, "provisioner") ?? "";
        if (Store.Get(Plurals.PersistentVolumes, null, pvName) == null)
        {
            JsonObject claim = (JsonObject)pvc.DeepClone();
            Obj.Child(claim, "spec")["storageClassName"] = storageClass;
            Store.Create(PersistentVolumes.Build(claim, pvName, sc, capacity));
        }

        Store.Change(Plurals.PersistentVolumeClaims, key.Namespace, key.Name, o =>
        {
            JsonObject spec = Obj.Child(o, "spec");
            spec["volumeName"] = pvName;
            spec["storageClassName"] = storageClass;
            spec["volumeMode"] ??= "Filesystem";
            JsonObject annotations = Obj.Child(Obj.Meta(o), "annotations");
            annotations["pv.kubernetes.io/bind-completed"] = "yes";
            annotations["pv.kubernetes.io/bound-by-controller"] = "yes";
            annotations["volume.beta.kubernetes.io/storage-provisioner"] = provisioner;
            annotations["volume.kubernetes.io/storage-provisioner"] = provisioner;
            Obj.AddFinalizer(o, Protection);
            o["status"] = new JsonObject
            {
                ["phase"] = "Bound",
                ["accessModes"] = Obj.Clone(spec["accessModes"]) ?? new JsonArray("ReadWriteOnce"),
                ["capacity"] = new JsonObject { ["storage"] = capacity },
            };
        });
        JsonObject bound = Store.Get(Plurals.PersistentVolumeClaims, key.Namespace, key.Name)!;
        Host.Events.Record(bound, EventRecorder.Normal, "ProvisioningSucceeded", $"Successfully provisioned volume {pvName}", $"{provisioner}_lab-provisioner");
        _firstSeen.Remove(uid);
    }

    private void SetPending(ObjectKey key) => Store.Change(Plurals.PersistentVolumeClaims, key.Namespace, key.Name, o =>
    {
        if (Obj.Str(o, "status", "phase") == null) Obj.Status(o)["phase"] = "Pending";
    });

    private void Unprotect(ObjectKey key, JsonObject pvc)
    {
        if (!Obj.HasFinalizer(pvc, Protection)) return;
        bool inUse = Store.List(Plurals.VirtualMachineInstances, key.Namespace).Any(vmi =>
            !Obj.Deleting(vmi) && !RunStrategy.IsFinal(Obj.Str(vmi, "status", "phase"))
            && Obj.Items(vmi["spec"]?["volumes"]).Any(v => VmVolumes.ClaimName(v) == key.Name));
        if (!inUse) Store.Change(Plurals.PersistentVolumeClaims, key.Namespace, key.Name, o => Obj.RemoveFinalizer(o, Protection));
    }

    /// <summary>
    /// The PV controller's reclaim (pkg/controller/volume/persistentvolume/pv_controller.go syncVolume and
    /// reclaimVolume): a volume whose claim is gone, or was replaced by a new claim of the same name (another uid), is
    /// released, and deleted when its reclaimPolicy is Delete; then nothing uses it, so pv-protection lets it go.
    /// </summary>
    private void ReleaseVolumes(ObjectKey key, JsonObject? pvc)
    {
        foreach (string name in Store.Lookup(Plurals.PersistentVolumes, ByClaim, null, key.ToString()))
        {
            JsonObject? pv = Store.Get(Plurals.PersistentVolumes, null, name);
            string? boundUid = Obj.Str(pv, "spec", "claimRef", "uid");
            if (pv == null || (pvc != null && (boundUid == null || boundUid == Obj.Uid(pvc)))) continue; // a claimRef without uid is a pre-binding
            if (Obj.Str(pv, "spec", "persistentVolumeReclaimPolicy") != "Delete") continue;
            Store.Change(Plurals.PersistentVolumes, null, name, o => Obj.RemoveFinalizer(o, PersistentVolumes.PvProtection));
            Store.Delete(Plurals.PersistentVolumes, null, name);
        }
    }
}

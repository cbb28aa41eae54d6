using System.Text.Json.Nodes;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// The VolumeSnapshotContent side of the external-snapshotter. The snapshot-controller keeps
/// volumesnapshotcontent-bound-protection on a bound content that is not being deleted (common-controller
/// syncContent, NeedToAddContentFinalizer). The csi-snapshotter sidecar lets it go only from a content being
/// deleted whose snapshot is being deleted too, marked volumesnapshot-being-deleted (sidecar-controller
/// snapshot_controller.go syncContent and shouldDelete; with deletionPolicy Delete after the CSI DeleteSnapshot).
/// So a Retain content outlives its VolumeSnapshot with the finalizer and the mark, and goes when it is deleted;
/// a content deleted while its VolumeSnapshot is still there stays Terminating.
/// </summary>
internal sealed class SnapshotContentSidecar(ControllerHost host) : Controller(host)
{
    public override string Name => "csi-snapshotter-sidecar";

    public override IEnumerable<ControllerWatch> Watches() => [Own(Plurals.VolumeSnapshotContents)];

    public override void Reconcile(ObjectKey key)
    {
        JsonObject? content = Store.Get(Plurals.VolumeSnapshotContents, null, key.Name);
        if (content == null) return;
        if (!Obj.Deleting(content))
        {
            if (Obj.Str(content, "spec", "volumeSnapshotRef", "uid") is { Length: > 0 } && !Obj.HasFinalizer(content, CsiSnapshotter.ContentFinalizer))
                Store.Change(Plurals.VolumeSnapshotContents, null, key.Name, o => Obj.AddFinalizer(o, CsiSnapshotter.ContentFinalizer));
            return;
        }
        bool preProvisionedUnbound = Obj.Str(content, "spec", "source", "snapshotHandle") != null && string.IsNullOrEmpty(Obj.Str(content, "spec", "volumeSnapshotRef", "uid"));
        bool shouldDelete = preProvisionedUnbound || Obj.Annotation(content, CsiSnapshotter.BeingDeletedAnnotation) != null;
        if (shouldDelete && Obj.HasFinalizer(content, CsiSnapshotter.ContentFinalizer))
            Store.Change(Plurals.VolumeSnapshotContents, null, key.Name, o => Obj.RemoveFinalizer(o, CsiSnapshotter.ContentFinalizer));
    }
}

using System.Text.Json.Nodes;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// A VirtualMachineSnapshot read in KubeVirt's words (snapshot.kubevirt.io/v1beta1 types.go): the fields the
/// controllers branch on, without JSON paths at every use.
/// </summary>
internal readonly struct SnapshotView(JsonObject snapshot)
{
    public JsonObject Object => snapshot;
    public string Name => Obj.Name(snapshot);
    public string Uid => Obj.Uid(snapshot);
    public string SourceName => Obj.Str(snapshot, "spec", "source", "name") ?? "";
    public string? Phase => Obj.Str(snapshot, "status", "phase");
    public bool HasStatus => snapshot["status"] != null;
    public string? ContentName => Obj.Str(snapshot, "status", "virtualMachineSnapshotContentName");
    public bool Retain => Obj.Str(snapshot, "spec", "deletionPolicy") == "Retain";
    public bool Deleting => Obj.Deleting(snapshot);
}

/// <summary>A VirtualMachineRestore read in KubeVirt's words: target, snapshot and whether it is complete.</summary>
internal readonly struct RestoreView(JsonObject restore)
{
    public JsonObject Object => restore;
    public string Name => Obj.Name(restore);
    public string TargetName => Obj.Str(restore, "spec", "target", "name") ?? "";
    public string SnapshotName => Obj.Str(restore, "spec", "virtualMachineSnapshotName") ?? "";
    public bool Complete => Obj.Bool(restore["status"]?["complete"]) == true;
    public bool Deleting => Obj.Deleting(restore);
}

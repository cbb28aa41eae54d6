using System.Text.Json.Nodes;
using VmSnapshot.Lab.GuestAgent;
using VmSnapshot.Lab.Store;
using static VmSnapshot.Lab.Controllers.SnapshotNames;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// The VM a snapshot is taken of, behind one seam as KubeVirt's snapshot controller sees it through its
/// snapshotSource interface (pkg/storage/snapshot/source.go: Lock, Unlock, Locked, Freeze, Unfreeze). The lock is the
/// VM's status.snapshotInProgress plus the snapshot-source-protection finalizer; freeze and unfreeze go to the guest
/// agent of the running instance.
/// </summary>
internal sealed class SnapshotSource(ControllerHost host, string? ns, string vmName)
{
    private LabStore Store => host.Store;

    /// <summary>The VM as stored now, or null when it does not exist.</summary>
    public JsonObject? Vm => Store.Get(Plurals.VirtualMachines, ns, vmName);

    /// <summary>The running instance, or null.</summary>
    public JsonObject? Vmi => Store.Get(Plurals.VirtualMachineInstances, ns, vmName);

    /// <summary>This snapshot holds the VM's lock.</summary>
    public bool LockedBy(string snapshot) => Obj.Str(Vm, "status", "snapshotInProgress") == snapshot;

    /// <summary>Why the VM cannot be locked for <paramref name="snapshot"/> now (the text after "Source not locked"), or null.</summary>
    public string? LockBlocker(JsonObject vm, string snapshot)
    {
        string? holder = Obj.Str(vm, "status", "snapshotInProgress");
        if (holder != null && holder != snapshot) return $" snapshot \"{holder}\" in progress";
        string source = $"{ns}/{vmName}";
        foreach (JsonObject volume in VmVolumes.Of(vm))
        {
            string? claim = VmVolumes.ClaimName(volume);
            if (claim == null) continue;
            JsonObject? pvc = Store.Get(Plurals.PersistentVolumeClaims, ns, claim);
            if (pvc == null) return $" source {source} volume doesnt exist: {claim}";
            if (Obj.Deleting(pvc)) return $" source {source} volume is being deleted: {claim}";
            if (Obj.Str(pvc, "status", "phase") != "Bound") return $" source {source} volume not bound: {claim}";
        }
        return null;
    }

    /// <summary>Takes the lock for <paramref name="snapshot"/>; returns the VM as locked.</summary>
    public JsonObject Lock(string snapshot)
    {
        Store.Change(Plurals.VirtualMachines, ns, vmName, o =>
        {
            Obj.AddFinalizer(o, SourceFinalizer);
            Obj.Status(o)["snapshotInProgress"] = snapshot;
        });
        return Vm!;
    }

    /// <summary>Releases the lock if <paramref name="snapshot"/> holds it.</summary>
    public void Unlock(string snapshot)
    {
        if (!LockedBy(snapshot)) return;
        Store.Change(Plurals.VirtualMachines, ns, vmName, o =>
        {
            if (Obj.Str(o, "status", "snapshotInProgress") != snapshot) return;
            Obj.Status(o).Remove("snapshotInProgress");
            Obj.RemoveFinalizer(o, SourceFinalizer);
        });
    }

    /// <summary>
    /// Freezes the guest for <paramref name="snapshot"/>: a no-op offline, when paused, and without the AgentConnected
    /// condition (source.go tests its presence, not its status); an error for a VM this snapshot has not locked.
    /// </summary>
    public AgentResult Freeze(string snapshot, TimeSpan unfreezeTimeout)
    {
        JsonObject? vmi = Vmi;
        if (vmi == null || Obj.Deleting(vmi) || Obj.Str(vmi, "status", "phase") != "Running") return new AgentResult.Done();
        if (!LockedBy(snapshot)) return new AgentResult.Failed("attempting to freeze unlocked VM");
        if (Obj.HasCondition(vmi, "Paused", "True") || !Obj.HasCondition(vmi, "AgentConnected")) return new AgentResult.Done();
        if (host.Agents.IsFrozen(vmi)) return new AgentResult.Done();
        return host.Agents.Freeze(vmi, unfreezeTimeout);
    }

    /// <summary>Thaws the guest when it is frozen.</summary>
    public AgentResult Unfreeze()
    {
        JsonObject? vmi = Vmi;
        return vmi == null || !host.Agents.IsFrozen(vmi) ? new AgentResult.Done() : host.Agents.Unfreeze(vmi);
    }

    /// <summary>Clean-up paths (deadline, deletion): thaws the guest if <paramref name="snapshot"/> still holds the lock.</summary>
    public void UnfreezeIfLockedBy(string snapshot)
    {
        if (LockedBy(snapshot)) Unfreeze();
    }
}

using System.Text.Json.Nodes;
using VmSnapshot.Lab.Controllers;

namespace VmSnapshot.Lab.GuestAgent;

/// <summary>
/// How the emulated guest answers its readiness probe. A test breaks a VM the way a bad update does by setting the
/// annotation <c>lab.vmsnapshot.io/guest-health: not-ready</c> in the VM's spec.template.metadata.annotations and
/// restarting it: the new instance carries the annotation and never becomes Ready. Restoring a snapshot taken before
/// brings back the template without it, so the rollback heals the guest. See Scenarios/README.md.
/// </summary>
public static class GuestHealth
{
    public const string Annotation = "lab.vmsnapshot.io/guest-health";

    /// <summary>The guest of this VMI fails its readiness probe.</summary>
    public static bool IsNotReady(JsonObject vmi) =>
        string.Equals(Obj.Annotation(vmi, Annotation)?.Trim(), "not-ready", StringComparison.OrdinalIgnoreCase);
}

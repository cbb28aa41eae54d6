using System.Text.Json.Nodes;
using VmSnapshot.Lab.Controllers;

namespace VmSnapshot.Lab.GuestAgent;

/// <summary>
/// How the emulated guest comes up. A test breaks a VM the way a bad update does by setting the annotation
/// <c>lab.vmsnapshot.io/guest-health</c> in the VM's spec.template.metadata.annotations and restarting it: the new
/// instance carries the annotation. <c>not-ready</c>: the guest runs but fails its readiness probe. <c>no-boot</c>: the
/// domain runs but no OS comes up (never Ready, no guest agent). Restoring a snapshot taken before brings back the
/// template without it, so the rollback heals the guest. See Scenarios/README.md.
/// </summary>
public static class GuestHealth
{
    public const string Annotation = "lab.vmsnapshot.io/guest-health";

    /// <summary>The guest of this VMI fails its readiness probe (not-ready, or no-boot).</summary>
    public static bool IsNotReady(JsonObject vmi) => Value(vmi) is "not-ready" or "no-boot";

    /// <summary>No OS came up in this VMI: no guest agent either.</summary>
    public static bool IsNoBoot(JsonObject vmi) => Value(vmi) == "no-boot";

    private static string? Value(JsonObject vmi) => Obj.Annotation(vmi, Annotation)?.Trim().ToLowerInvariant();
}

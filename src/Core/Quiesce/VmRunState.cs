using System.Text.Json;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Quiesce;

/// <summary>Whether a snapshot of the VM would be live (and so needs a freeze) or offline.</summary>
public enum RunState
{
    /// <summary>The instance runs: a live snapshot, application-consistent only if the agent freezes the guest.</summary>
    Running,

    /// <summary>The instance is paused: KubeVirt snapshots it without a freeze (indication Paused).</summary>
    Paused,

    /// <summary>No instance: an offline snapshot, consistent without a freeze.</summary>
    Stopped,

    /// <summary>Starting, scheduling or in another passing state: try again when it settles.</summary>
    Transitional,
}

/// <summary>Derives <see cref="RunState"/> the way KubeVirt's snapshot source does: from the instance, not the VM.</summary>
public static class VmRunState
{
    /// <summary>VM printable statuses that mean an instance is about to exist even though none does yet.</summary>
    private static readonly string[] s_starting = { "Starting", "Provisioning", "WaitingForVolumeBinding" };

    /// <summary>The state, and the label shown to the user (the VM's printableStatus where it says more).</summary>
    public static (RunState State, string Label) Of(JsonElement vm, JsonElement? vmi)
    {
        string printable = vm.Child("status").String("printableStatus") ?? "Stopped";
        string? phase = vmi?.Child("status").String("phase");
        if (vmi is null || phase is "Succeeded" or "Failed")
        {
            return s_starting.Contains(printable, StringComparer.Ordinal)
                ? (RunState.Transitional, printable)
                : (RunState.Stopped, printable);
        }

        if (phase != "Running")
        {
            return (RunState.Transitional, string.IsNullOrEmpty(phase) ? "Pending" : phase);
        }

        // The snapshot controller tests the VMI's Paused condition with status True (kubevirt-api.md §3.2).
        bool paused = vmi.Value.Child("status").Condition("Paused") is { } condition && condition.String("status") == "True";
        return paused ? (RunState.Paused, "Paused") : (RunState.Running, printable == "Stopped" ? "Running" : printable);
    }
}

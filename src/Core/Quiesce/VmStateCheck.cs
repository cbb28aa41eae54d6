using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Quiesce;

/// <summary>Running, paused or stopped decides what kind of snapshot KubeVirt takes.</summary>
internal static class VmStateCheck
{
    public static void Add(CheckList checks, QuiesceInputs inputs, RunState state, string label)
    {
        switch (state)
        {
            case RunState.Running when label == "Migrating":
                checks.Add(CheckNames.VMState, CheckStatus.Warn,
                    "The VM is migrating: the guest agent refuses to freeze during a migration. Snapshot after it finished.");
                break;
            case RunState.Running:
                checks.Add(CheckNames.VMState, CheckStatus.Pass,
                    "The VM is running: a snapshot is taken live, with the guest frozen by its agent.");
                break;
            case RunState.Paused:
                checks.Add(CheckNames.VMState, CheckStatus.Warn,
                    "The VM is paused: a snapshot is taken without freezing the guest (indication Paused), so it is " +
                    "crash-consistent. Unpause it first for an application-consistent snapshot.");
                break;
            case RunState.Stopped:
                checks.Add(CheckNames.VMState, CheckStatus.Pass,
                    $"The VM is {label.ToLowerInvariant()} (no running instance): the snapshot is taken offline, which " +
                    "is consistent without any freeze.");
                break;
            default:
                checks.Add(CheckNames.VMState, CheckStatus.Warn,
                    $"The VM is {label}: neither running nor stopped. Check again when it has settled.");
                break;
        }

        string? inProgress = inputs.Vm.Child("status").String("snapshotInProgress");
        string? restore = inputs.Vm.Child("status").String("restoreInProgress");
        if (inProgress is not null || restore is not null)
        {
            checks.Add(CheckNames.VMState, CheckStatus.Warn, inProgress is not null
                ? $"Snapshot '{inProgress}' holds the VM's snapshot lock: a new snapshot waits until it finishes."
                : $"Restore '{restore}' is running on the VM: a snapshot cannot start until it finishes.");
        }
    }
}

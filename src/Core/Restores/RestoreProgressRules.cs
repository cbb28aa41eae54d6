using System.Text.Json;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Restores;

/// <summary>Reads a VirtualMachineRestore's status the way KubeVirt's controller writes it (kubevirt-api.md §4.2).</summary>
public static class RestoreProgressRules
{
    /// <summary>Progressing reasons that are the controller's normal steps; anything else is an error it retries.</summary>
    private static readonly string[] s_normalSteps =
    {
        "Initializing VirtualMachineRestore", "Creating new PVCs", "Updating target spec", "Operation complete",
        "Automatically stopping restore target for restore operation",
    };

    public static RestoreProgress Evaluate(JsonElement restore)
    {
        JsonElement status = restore.Child("status");
        if (status.IsTrue("complete"))
        {
            return new(RestoreStage.Complete, "complete");
        }

        if (status.Condition("Failure") is { } failure && failure.String("status") == "True")
        {
            return new(RestoreStage.Failed, failure.String("reason") ?? failure.String("message") ?? "the restore failed");
        }

        string? reason = status.Condition("Progressing")?.String("reason") ?? status.Condition("Ready")?.String("reason");
        if (reason is null)
        {
            return new(RestoreStage.Pending, "waiting for the restore controller");
        }

        if (reason.StartsWith("Waiting for target VM to be powered off", StringComparison.Ordinal) ||
            reason.StartsWith("Automatically stopping", StringComparison.Ordinal))
        {
            return new(RestoreStage.WaitingForTarget, reason);
        }

        return s_normalSteps.Contains(reason, StringComparer.Ordinal)
            ? new(RestoreStage.InProgress, reason)
            : new(RestoreStage.Retrying, reason);
    }
}

using System.Text.Json;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Clones;

/// <summary>A clone's phase and the cluster's words for where it stands (kubevirt-api.md §2).</summary>
public sealed record CloneProgress(string Phase, string Message)
{
    public bool IsFinal => Phase is "Succeeded" or "Failed";

    public static CloneProgress Evaluate(JsonElement clone)
    {
        JsonElement status = clone.Child("status");
        string phase = status.String("phase") ?? string.Empty;
        string message = status.Condition("Ready")?.String("reason") ?? status.Condition("Progressing")?.String("reason")
            ?? (phase.Length == 0 ? "waiting for the clone controller" : phase);
        return new(phase.Length == 0 ? "Pending" : phase, message);
    }
}

using System.Text.Json.Nodes;

namespace VmSnapshot.Lab.Controllers;

/// <summary>vm.RunStrategy() of KubeVirt (reference §3.1): running=true → Always, false → Halted, else runStrategy, else Halted.</summary>
internal static class RunStrategy
{
    public const string Always = "Always";
    public const string Halted = "Halted";
    public const string Manual = "Manual";
    public const string RerunOnFailure = "RerunOnFailure";
    public const string Once = "Once";
    public const string WaitAsReceiver = "WaitAsReceiver";

    public static readonly string[] Valid = [Always, Halted, Manual, RerunOnFailure, Once, WaitAsReceiver];

    public static string Of(JsonObject vm)
    {
        bool? running = Obj.Bool(vm["spec"]?["running"]);
        if (running != null) return running.Value ? Always : Halted;
        return Obj.Str(vm, "spec", "runStrategy") ?? Halted;
    }

    /// <summary>VMI phases after which the VMI no longer runs.</summary>
    public static bool IsFinal(string? phase) => phase is "Succeeded" or "Failed";
}

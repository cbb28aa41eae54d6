namespace VmSnapshot.Core.Api;

/// <summary>Recognises API answers that need their own handling beyond the HTTP code.</summary>
public static class ApiConditions
{
    /// <summary>
    /// KubeVirt's admission webhooks refuse snapshot, restore and clone creates when the Snapshot feature gate is off
    /// (kubevirt-api.md §0): "snapshot feature gate not enabled", "Snapshot/Restore feature gate not enabled",
    /// "snapshot feature gate is not enabled".
    /// </summary>
    public static bool IsFeatureGateDisabled(KubeApiException e) =>
        e.Message.Contains("feature gate not enabled", StringComparison.OrdinalIgnoreCase) ||
        e.Message.Contains("feature gate is not enabled", StringComparison.OrdinalIgnoreCase);
}

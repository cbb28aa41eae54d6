using System.Text.Json.Nodes;
using VmSnapshot.Lab.Controllers;
using VmSnapshot.Lab.Store;

namespace VmSnapshot.Lab.Admission;

/// <summary>
/// The Snapshot feature gate from the KubeVirt CR (reference §0): up to v1.8 it must be listed in
/// developerConfiguration.featureGates; from v1.9 (Beta) it is on unless listed in disabledFeatureGates.
/// Without a KubeVirt CR the gate counts as on.
/// </summary>
internal static class FeatureGates
{
    public static bool SnapshotEnabled(LabStore store, KubeVirtBehaviour kubevirt)
    {
        JsonObject? kv = store.List("kubevirts").FirstOrDefault();
        if (kv == null) return true;
        JsonNode? config = kv["spec"]?["configuration"]?["developerConfiguration"];
        bool Listed(string field) => (config?[field] as System.Text.Json.Nodes.JsonArray ?? []).Any(g => g?.ToString() == "Snapshot");
        if (Listed("disabledFeatureGates")) return false;
        return kubevirt.SnapshotGateOnByDefault || Listed("featureGates");
    }
}

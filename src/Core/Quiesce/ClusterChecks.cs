namespace VmSnapshot.Core.Quiesce;

/// <summary>
/// Whether the cluster lets this caller snapshot at all: KubeVirt's Snapshot feature gate and the caller's RBAC
/// (SelfSubjectAccessReview). What could not be read is Manual or Warn, never Pass.
/// </summary>
internal static class ClusterChecks
{
    public static void Add(CheckList checks, QuiesceInputs inputs)
    {
        FeatureGateAnswer gate = inputs.FeatureGate;
        switch (gate.State)
        {
            case FeatureGateState.Enabled:
                checks.Add(CheckNames.FeatureGate, CheckStatus.Pass, $"KubeVirt's Snapshot feature gate is on ({gate.Detail}).");
                break;
            case FeatureGateState.Disabled:
                checks.Add(CheckNames.FeatureGate, CheckStatus.Fail,
                    $"KubeVirt's Snapshot feature gate is off ({gate.Detail}): the cluster refuses every snapshot. Ask " +
                    "a cluster administrator to enable it in the KubeVirt CR (spec.configuration.developerConfiguration).");
                break;
            default:
                checks.Add(CheckNames.FeatureGate, CheckStatus.Manual,
                    $"Whether KubeVirt's Snapshot feature gate is on could not be checked ({gate.Detail}). Ask a cluster " +
                    "administrator, or look at the KubeVirt CR's spec.configuration.developerConfiguration.");
                break;
        }

        AccessAnswer create = inputs.CanCreateSnapshot;
        string ns = inputs.Namespace;
        checks.Add(CheckNames.CanCreateSnapshot, create.Allowed switch
        {
            true => CheckStatus.Pass,
            false => CheckStatus.Fail,
            null => CheckStatus.Warn,
        },
            create.Allowed switch
            {
                true => $"You may create VirtualMachineSnapshots in namespace '{ns}'.",
                false => $"You may not create VirtualMachineSnapshots in namespace '{ns}' ({create.Detail}). Ask for " +
                    "a role with 'create' on virtualmachinesnapshots.snapshot.kubevirt.io (kubevirt.io:edit has it).",
                null => $"Whether you may create VirtualMachineSnapshots in namespace '{ns}' could not be checked " +
                    $"({create.Detail}).",
            });

        AccessAnswer freeze = inputs.CanFreeze;
        checks.Add(CheckNames.CanFreeze, freeze.Allowed == true ? CheckStatus.Pass : CheckStatus.Warn,
            freeze.Allowed switch
            {
                true => $"You may freeze and thaw guests in namespace '{ns}' (needed only for -Trial).",
                false => $"You may not freeze guests in namespace '{ns}' ({freeze.Detail}), so -Trial cannot run. " +
                    "Snapshots are not affected: KubeVirt freezes the guest with its own rights.",
                null => $"Whether you may freeze guests in namespace '{ns}' could not be checked ({freeze.Detail}).",
            });
    }
}

using System.Text.Json;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;
using VmSnapshot.Core.Health;
using VmSnapshot.Core.Json;
using VmSnapshot.Core.Quiesce;
using VmSnapshot.Core.Refusals;
using VmSnapshot.Core.Snapshots;
using VmSnapshot.Core.Vms;

namespace VmSnapshot.Core.Changes;

/// <summary>What the pre-flight learnt about a VM that may be changed.</summary>
/// <param name="Vm">The VM as read now.</param>
/// <param name="Readiness">Test-GuestQuiesce's verdict and coverage for a snapshot taken now.</param>
/// <param name="WasRunning">The VM ran before the change: a rollback starts it again.</param>
public sealed record ChangePreflightResult(KubeVirtVM Vm, QuiesceReadiness Readiness, bool WasRunning);

/// <summary>
/// Decides whether a VM may be changed under a safety snapshot. A change is only as safe as its snapshot: one that
/// would miss a disk's data cannot roll that disk back, and KubeVirt refuses a snapshot while another snapshot or a
/// restore holds the VM (pkg/storage/snapshot/snapshot.go, the source lock), so both are refused before anything
/// is done.
/// </summary>
public static class ChangePreflight
{
    /// <summary>
    /// Checks the VMs of one namespace that <paramref name="nameFilter"/> selects, with one survey (one list of VMs,
    /// one guest-agent sample) and one list of safety snapshots: per VM found, in listing order, a plan or the refusal.
    /// </summary>
    /// <remarks>With <paramref name="afterChange"/> (-Phase Post) no snapshot will be taken, so coverage and quiesce do not
    /// matter, and this change's own safety snapshot is expected to hold the VM.</remarks>
    public static async Task<IReadOnlyList<(string VMName, Planned<ChangePreflightResult> Check)>> CheckAsync(
        KubeVirtConnection connection, string @namespace, Func<string, bool> nameFilter, ChangeOptions options, bool afterChange,
        CancellationToken cancelToken)
    {
        QuiesceSurvey survey = new(connection, samples: 1);
        IReadOnlyList<QuiesceInputs> found = await survey.ReadAsync(@namespace, nameFilter, cancelToken).ConfigureAwait(false);
        if (found.Count == 0)
        {
            return [];
        }

        IReadOnlyDictionary<string, (string Name, string? ChangeId, string? Created)> inChange =
            await InChangeAsync(connection, @namespace, cancelToken).ConfigureAwait(false);
        return found.Select(inputs =>
        {
            string vmName = inputs.Vm.Child("metadata").String("name") ?? string.Empty;
            (string Name, string? ChangeId, string? Created)? holder =
                inChange.TryGetValue(vmName, out (string Name, string? ChangeId, string? Created) other) &&
                !(afterChange && other.ChangeId == options.ChangeId) ? other : null;
            return (vmName, Check(connection, @namespace, vmName, inputs, holder, options, afterChange));
        }).ToList();
    }

    private static Planned<ChangePreflightResult> Check(KubeVirtConnection connection, string @namespace, string vmName,
        QuiesceInputs inputs, (string Name, string? ChangeId, string? Created)? inChange, ChangeOptions options, bool afterChange)
    {
        KubeVirtVM vm = VmMapper.FromJson(inputs.Vm, inputs.Vmi, null, connection.Origin);
        QuiesceReadiness readiness = QuiesceEvaluator.Evaluate(inputs, connection.Origin, options.AllowPartial);
        string where = $"VM '{@namespace}/{vmName}'";

        if ((vm.SnapshotInProgress ?? vm.RestoreInProgress) is { } holder)
        {
            return new Refusal(RefusalKind.VMBusy,
                $"{where} is held by {(vm.SnapshotInProgress is not null ? "snapshot" : "restore")} '{holder}'. Nothing was changed.", vmName);
        }

        if (inChange is { } other)
        {
            return new Refusal(RefusalKind.VMInChange,
                $"{where} is in change '{other.ChangeId}' (safety snapshot '{other.Name}', taken {other.Created}). Nothing was changed.", vmName);
        }

        bool running = inputs.Vmi?.Child("status").String("phase") == "Running";
        if (afterChange)
        {
            return new ChangePreflightResult(vm, readiness, running);
        }

        if (readiness.Verdict == QuiesceVerdict.Blocked)
        {
            return new Refusal(RefusalKind.SnapshotBlocked,
                $"No safety snapshot can be taken of {where}: {readiness.Summary}. Nothing was changed.", vmName);
        }

        if (!options.AllowPartial && readiness.Coverage is SnapshotCoverage.Partial or SnapshotCoverage.ConfigOnly)
        {
            string missed = readiness.NotCapturedVolumes.Length > 0 ? string.Join(", ", readiness.NotCapturedVolumes.Select(v => $"'{v}'")) : "every disk";
            return new Refusal(RefusalKind.ChangeNotProtected,
                $"A safety snapshot of {where} would not hold the data of {missed} ({readiness.Coverage}): a rollback could not " +
                "bring that back. Nothing was changed.", vmName);
        }

        if (options.RequireQuiesce && readiness.Verdict != QuiesceVerdict.ApplicationConsistent)
        {
            return new Refusal(RefusalKind.QuiesceNotPossible,
                $"A snapshot of {where} now would be {readiness.Verdict}, not application-consistent: {readiness.Summary}. Nothing was changed.", vmName);
        }

        return new ChangePreflightResult(vm, readiness, running);
    }

    /// <summary>
    /// The health gate's cluster checks (and TCP probes) before the change: a VM that is not healthy now would fail the
    /// gate after any change and be rolled back for nothing, so it is refused. The user's own -HealthCheck is not part
    /// of this baseline. Null when healthy.
    /// </summary>
    public static async Task<Refusal?> BaselineAsync(KubeVirtConnection connection, ChangePreflightResult preflight,
        ChangeOptions options, CancellationToken cancelToken)
    {
        KubeVirtVM vm = preflight.Vm;
        KubeVirtVMHealth? health = await HealthProbe.CheckAsync(connection, vm.Namespace, vm.Name, options.Health, null, cancelToken)
            .ConfigureAwait(false);
        if (health is null)
        {
            return Refusal.VMNotFound(vm.Name, vm.Namespace, "Nothing was changed.");
        }

        return health.Healthy
            ? null
            : new Refusal(RefusalKind.VMUnhealthy,
                $"VM '{vm}' is not healthy before the change ({health.Summary}), so the health gate after it could not pass. Nothing was changed.",
                vm.Name);
    }

    /// <summary>Per VM, its safety snapshot whose change is still in progress (name, change ID, created).</summary>
    private static async Task<IReadOnlyDictionary<string, (string Name, string? ChangeId, string? Created)>> InChangeAsync(
        KubeVirtConnection connection, string @namespace, CancellationToken cancelToken)
    {
        Dictionary<string, (string Name, string? ChangeId, string? Created)> held = new(StringComparer.Ordinal);
        await foreach (JsonElement snapshot in CustomResources.ListAsync(ConnectionFactory.ClientFor(connection).Client,
                           ResourceType.VirtualMachineSnapshot, @namespace, $"{ChangeLabels.Purpose}={ChangeLabels.SafetySnapshot}",
                           null, SnapshotReader.DefaultPageSize, cancelToken).ConfigureAwait(false))
        {
            JsonElement metadata = snapshot.Child("metadata");
            if (snapshot.Child("spec").Child("source").String("name") is { } vm &&
                metadata.Child("annotations").String(ChangeLabels.State) == ChangeLabels.InProgress)
            {
                held[vm] = (metadata.String("name") ?? string.Empty, metadata.Child("labels").String(ChangeLabels.ChangeId),
                    metadata.String("creationTimestamp"));
            }
        }

        return held;
    }
}

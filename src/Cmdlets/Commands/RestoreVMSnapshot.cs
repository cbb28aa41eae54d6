using System.Management.Automation;
using System.Text.Json;
using System.Threading.Channels;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;
using VmSnapshot.Core.Json;
using VmSnapshot.Core.Restores;
using VmSnapshot.Core.Snapshots;
using VmSnapshot.Core.Vms;
using VmSnapshot.Core.Watching;

namespace VmSnapshot.Commands;

/// <summary>
/// <para type="synopsis">Rolls a KubeVirt VM back to a snapshot, or restores the snapshot into a new VM.</para>
/// <para type="description">Creates a VirtualMachineRestore and waits until it is complete. Refuses up front what
/// would fail or hang: a failed or unready snapshot, a running VM without -StopVM, a new VM name that exists.</para>
/// </summary>
[Cmdlet(VerbsData.Restore, "VMSnapshot", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
    DefaultParameterSetName = InputObjectSet)]
[OutputType(typeof(KubeVirtVMRestore), typeof(string))]
public sealed class RestoreVMSnapshotCommand : FollowingCmdlet
{
    private const string NameSet = "Name";
    private const string InputObjectSet = "InputObject";
    private static readonly TimeSpan s_windowsTrustAge = TimeSpan.FromDays(30);

    private readonly List<KubeVirtVMSnapshot> _selected = new();

    #region Parameters

    /// <summary><para type="description">The snapshot to restore, e.g. from Get-VMSnapshot -Latest 1.</para></summary>
    [Parameter(ParameterSetName = InputObjectSet, Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public KubeVirtVMSnapshot[] InputObject { get; set; } = Array.Empty<KubeVirtVMSnapshot>();

    /// <summary>
    /// <para type="description">The snapshot's name. Wildcards are supported, but must match exactly one snapshot per
    /// VM.</para>
    /// </summary>
    [Parameter(ParameterSetName = NameSet, Mandatory = true, Position = 0)]
    [SupportsWildcards]
    [Alias("SnapshotName")]
    [ValidateKubeName(AllowWildcards = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary><para type="description">Only snapshots of this VM (wildcards supported).</para></summary>
    [Parameter(ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateKubeName(AllowWildcards = true)]
    [ValidateNotNullOrEmpty]
    public string? VMName { get; set; }

    /// <summary>
    /// <para type="description">Stop a running VM for the restore (targetReadinessPolicy StopTarget). Without it a
    /// running VM is refused.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter StopVM { get; set; }

    /// <summary><para type="description">Start the VM after a successful restore.</para></summary>
    [Parameter]
    public SwitchParameter StartVM { get; set; }

    /// <summary><para type="description">The raw targetReadinessPolicy, for those who want it.</para></summary>
    [Parameter]
    [ValidateSet("StopTarget", "WaitGracePeriod", "FailImmediate", "WaitEventually")]
    public string? TargetReadinessPolicy { get; set; }

    /// <summary>
    /// <para type="description">How restored claims are named: InPlace (the original names), RandomizeNames
    /// (restore-&lt;uid&gt;-&lt;volume&gt;) or PrefixTargetName (&lt;vm&gt;-&lt;volume&gt;). Default: InPlace when rolling the
    /// snapshot's own VM back (so GitOps-managed claims survive), PrefixTargetName for a new VM. InPlace into a new VM
    /// is refused: KubeVirt would delete the source VM's claims and recreate them for the new VM.</para>
    /// </summary>
    [Parameter]
    [ValidateSet(RestorePlanner.InPlace, RestorePlanner.RandomizeNames, RestorePlanner.PrefixTargetName)]
    public string? VolumeRestorePolicy { get; set; }

    /// <summary>
    /// <para type="description">Restore into a new VM of this name (created stopped, with new MAC addresses) instead of
    /// rolling back the snapshot's VM.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NewVMName { get; set; }

    /// <summary><para type="description">With -NewVMName: keep the snapshot's MAC addresses.</para></summary>
    [Parameter]
    public SwitchParameter KeepMacAddress { get; set; }

    /// <summary><para type="description">Return as soon as the restore is created.</para></summary>
    [Parameter]
    public SwitchParameter NoWait { get; set; }

    /// <summary><para type="description">How long to wait at most. Default: 30 minutes.</para></summary>
    [Parameter]
    [ValidateTimeSpan]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary><para type="description">Write the VirtualMachineRestore YAML instead of creating it.</para></summary>
    [Parameter]
    public SwitchParameter AsManifest { get; set; }

    /// <summary><para type="description">Return the restore object.</para></summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    /// <inheritdoc/>
    protected override void BeginProcessing()
    {
        if (StartVM && NoWait)
        {
            ThrowTerminatingError(ErrorRecords.Create(new ArgumentException(
                    "-StartVM starts the VM after the restore completed, which -NoWait does not wait for."),
                ErrorIds.StartRequiresWait, ErrorCategory.InvalidArgument, "StartVM", "Leave out -NoWait, or -StartVM."));
        }

        if (NewVMName is not null && SnapshotNaming.Validate(NewVMName) is { } problem)
        {
            ThrowTerminatingError(ErrorRecords.Create(new ArgumentException($"'{NewVMName}' is not a valid VM name: {problem}."),
                ErrorIds.InvalidVMName, ErrorCategory.InvalidArgument, NewVMName,
                "Use lower-case letters, digits and '-', starting and ending with a letter or digit."));
        }
    }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (ParameterSetName == InputObjectSet)
        {
            foreach (KubeVirtVMSnapshot snapshot in InputObject)
            {
                if (ForeignObjectError(snapshot) is { } foreign)
                {
                    WriteError(foreign);
                }
                else
                {
                    _selected.Add(snapshot);
                }
            }

            return;
        }

        NameFilter names = new(new[] { Name });
        NameFilter vmNames = new(VMName is null ? null : new[] { VMName });
        string @namespace = EffectiveNamespace;
        List<KubeVirtVMSnapshot> matches = new();
        try
        {
            SelectSnapshots(@namespace, names, vmNames, matches.Add);
        }
        catch (KubeApiException e)
        {
            ThrowApiError(e, @namespace);
        }

        if (matches.Count == 0)
        {
            WriteError(ErrorRecords.Create(new ItemNotFoundException(
                    $"No VM snapshot matching '{Name}'{(VMName is null ? string.Empty : $" of VM '{VMName}'")} was found in namespace '{@namespace}'. Nothing was restored."),
                ErrorIds.SnapshotNotFound, ErrorCategory.ObjectNotFound, Name, "Check the name with Get-VMSnapshot."));
        }

        _selected.AddRange(matches);
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        IGrouping<string, KubeVirtVMSnapshot>[] vms = _selected.GroupBy(s => $"{s.Namespace}/{s.VMName}").ToArray();
        if (NewVMName is not null && vms.Length > 1)
        {
            WriteError(ErrorRecords.Create(new InvalidOperationException(
                    $"Snapshots of {vms.Length} VMs ({string.Join(", ", vms.Select(v => v.Key))}) were selected for one new VM " +
                    $"'{NewVMName}'. Nothing was restored."),
                ErrorIds.DuplicateTargetName, ErrorCategory.InvalidArgument, NewVMName,
                "Restore one snapshot per -NewVMName."));
            return;
        }

        foreach (IGrouping<string, KubeVirtVMSnapshot> vm in vms)
        {
            KubeVirtVMSnapshot[] candidates = vm.GroupBy(s => s.Name).Select(g => g.First()).ToArray();
            if (candidates.Length > 1)
            {
                WriteError(ErrorRecords.Create(new InvalidOperationException(
                        $"{candidates.Length} snapshots of VM '{vm.Key}' were selected ({string.Join(", ", candidates.Select(c => c.Name))}); " +
                        "a VM can be restored from one snapshot only. Nothing was restored for this VM."),
                    ErrorIds.AmbiguousSnapshot, ErrorCategory.InvalidArgument, vm.Key,
                    "Name one snapshot, or pick one with Get-VMSnapshot -VMName <vm> -Latest 1."));
                continue;
            }

            try
            {
                RestoreOne(candidates[0]);
            }
            catch (KubeApiException e) when (!IsFatalForCommand(e))
            {
                WriteApiError(e, candidates[0]);
            }
            catch (KubeApiException e)
            {
                ThrowApiError(e, candidates[0]);
            }
        }
    }

    private void RestoreOne(KubeVirtVMSnapshot selected)
    {
        KubeVirtConnection connection = ResolveConnection();
        string @namespace = selected.Namespace;
        KubeVirtVMSnapshot? snapshot = Await(SnapshotReader.GetAsync(connection, @namespace, selected.Name, CancelToken));
        if (snapshot is null)
        {
            WriteError(ErrorRecords.Create(new ItemNotFoundException($"Snapshot '{@namespace}/{selected.Name}' no longer exists."),
                ErrorIds.SnapshotNotFound, ErrorCategory.ObjectNotFound, selected, "Check the name with Get-VMSnapshot."));
            return;
        }

        if (UnusableReason(snapshot) is { } refusal)
        {
            WriteError(refusal);
            return;
        }

        string target = NewVMName ?? snapshot.VMName;
        JsonElement? targetVm = Await(VmReader.GetRawAsync(connection, @namespace, target, CancelToken));
        if (TargetRefusal(snapshot, target, targetVm) is { } targetRefusal)
        {
            WriteError(targetRefusal);
            return;
        }

        string? volumePolicy = RestorePlanner.VolumeRestorePolicy(snapshot.VMName, target, VolumeRestorePolicy, out string? overwrite);
        if (overwrite is not null)
        {
            WriteError(ErrorRecords.Create(new InvalidOperationException($"{overwrite}. Nothing was restored."),
                ErrorIds.InPlaceRestoreToNewVM, ErrorCategory.InvalidArgument, snapshot,
                "Leave out -VolumeRestorePolicy (a new VM gets PrefixTargetName: new claims named <vm>-<volume>), or use RandomizeNames."));
            return;
        }

        JsonElement? snapshotSpec = Await(RestoreWriter.SnapshotVmSpecAsync(connection, @namespace, snapshot.ContentName, CancelToken));
        WarnAboutData(snapshot, targetVm, snapshotSpec);
        IReadOnlyList<string> patches = NewVMName is not null && !KeepMacAddress && snapshotSpec is { } spec
            ? MacAddresses.NewMacPatches(spec)
            : Array.Empty<string>();
        string? readiness = TargetReadinessPolicy ?? (StopVM ? "StopTarget" : null);
        RestoreRequest request = new(SnapshotNaming.Default(target, DateTime.Now).Replace("-snapshot-", "-restore-"),
            @namespace, target, snapshot.Name, readiness, volumePolicy, patches);

        if (AsManifest)
        {
            WriteObject(RestoreManifest.ToYaml(request));
            return;
        }

        string what = NewVMName is null
            ? $"Roll VM '{@namespace}/{target}' on '{connection.Origin}' back to snapshot '{snapshot.Name}' (its disks and spec are replaced)"
            : $"Restore snapshot '{snapshot.Name}' into a new VM '{@namespace}/{target}' on '{connection.Origin}'";
        if (!ShouldProcess(what, "Restore"))
        {
            return;
        }

        JsonElement final = NoWait ? Await(RestoreWriter.CreateAsync(connection, request, CancelToken)) : CreateAndWait(connection, request);
        KubeVirtVMRestore restore = RestoreMapper.FromJson(final, connection.Origin);
        RestoreProgress outcome = RestoreProgressRules.Evaluate(final);
        if (!NoWait && outcome.Stage != RestoreStage.Complete)
        {
            WriteError(RestoreFailure(connection, restore, outcome));
            return;
        }

        if (StartVM && !NoWait)
        {
            WriteVerbose($"{@namespace}/{target}: starting the VM.");
            Await(VmLifecycle.StartAsync(connection, @namespace, target, CancelToken));
        }

        if (PassThru || NoWait)
        {
            WriteObject(restore);
        }
    }

    private JsonElement CreateAndWait(KubeVirtConnection connection, RestoreRequest request)
    {
        OperationProgress progress = new(this, "Restoring VM snapshot", $"{request.Namespace}/{request.Name}", activityId: 2);
        try
        {
            return CreateAndFollow(connection, ResourceType.VirtualMachineRestore, request.Namespace, request.Name,
                ct => RestoreWriter.CreateAsync(connection, request, ct), RestoreProgressRules.Evaluate, p => p.IsFinal,
                p => progress.Report(p.Stage.ToString(), p.Message), Timeout,
                async (final, ct) =>
                {
                    if (RestoreProgressRules.Evaluate(final).Stage == RestoreStage.Complete)
                    {
                        await WaitForUnlockAsync(connection, request, ct).ConfigureAwait(false);
                    }
                });
        }
        finally
        {
            progress.Complete();
        }
    }

    /// <summary>complete is set after the VM's restoreInProgress is cleared; this confirms it, watching if needed.</summary>
    private async Task WaitForUnlockAsync(KubeVirtConnection connection, RestoreRequest request, CancellationToken cancelToken)
    {
        NamespaceWatch vms = await Watches(connection).ForAsync(ResourceType.VirtualMachine, request.Namespace, cancelToken).ConfigureAwait(false);
        ChannelReader<WatchEvent> events = vms.Subscribe(request.TargetName);
        try
        {
            JsonElement? vm = await VmReader.GetRawAsync(connection, request.Namespace, request.TargetName, cancelToken).ConfigureAwait(false);
            if (vm is { } current && RestorePlanner.RestoreInProgress(current) is not null)
            {
                await ResourceWaiter.WaitAsync(ResourceType.VirtualMachine, events, current,
                    v => RestorePlanner.RestoreInProgress(v) is null, unlocked => unlocked, (_, _) => { }, cancelToken).ConfigureAwait(false);
            }
        }
        finally
        {
            vms.Unsubscribe(request.TargetName);
        }
    }

    private ErrorRecord? UnusableReason(KubeVirtVMSnapshot snapshot)
    {
        if (snapshot.Phase == SnapshotPhase.Failed)
        {
            return ErrorRecords.Create(new InvalidOperationException(
                    $"Snapshot '{snapshot.Name}' failed and cannot be restored: {snapshot.Error ?? "no error recorded"}. Nothing was changed."),
                ErrorIds.SnapshotNotUsable, ErrorCategory.InvalidOperation, snapshot,
                "Pick another snapshot: Get-VMSnapshot -VMName <vm> | Where-Object ReadyToUse.");
        }

        return snapshot.ReadyToUse
            ? null
            : ErrorRecords.Create(new InvalidOperationException(
                    $"Snapshot '{snapshot.Name}' is not ready to use (phase {snapshot.Phase}). Nothing was changed."),
                ErrorIds.SnapshotNotReady, ErrorCategory.ResourceUnavailable, snapshot,
                "Wait for it with Wait-VMSnapshot, then restore.");
    }

    private ErrorRecord? TargetRefusal(KubeVirtVMSnapshot snapshot, string target, JsonElement? targetVm)
    {
        if (RestorePlanner.CheckTarget(targetVm, target, snapshot.Namespace, NewVMName is not null,
                mayStop: StopVM || TargetReadinessPolicy is not null) is not { } refusal)
        {
            return null;
        }

        (string id, ErrorCategory category, string action) = refusal.Kind switch
        {
            TargetRefusalKind.TargetExists => (ErrorIds.RestoreTargetExists, ErrorCategory.ResourceExists,
                "Choose another -NewVMName, or roll that VM back by leaving out -NewVMName."),
            TargetRefusalKind.RestoreInProgress => (ErrorIds.RestoreInProgress, ErrorCategory.ResourceBusy,
                "Wait for that restore to finish, then try again."),
            _ => (ErrorIds.VMRunning, ErrorCategory.ResourceBusy,
                "Add -StopVM to stop it for the restore (and -StartVM to start it again afterwards)."),
        };
        string nothing = refusal.Kind == TargetRefusalKind.TargetExists ? "Nothing was restored." : "Nothing was changed.";
        return ErrorRecords.Create(new InvalidOperationException($"{refusal.Message} {nothing}"), id, category, target, action);
    }

    private void WarnAboutData(KubeVirtVMSnapshot snapshot, JsonElement? targetVm, JsonElement? snapshotSpec)
    {
        IReadOnlySet<string> generated = snapshotSpec is { } spec ? VolumeKinds.GeneratedVolumeNames(spec) : new HashSet<string>();
        string[] lost = snapshot.ExcludedVolumes.Where(v => !generated.Contains(v)).ToArray();
        if (lost.Length > 0)
        {
            WriteWarning($"Snapshot '{snapshot.Name}' does not hold the data of {string.Join(", ", lost.Select(v => $"'{v}'"))}: " +
                "those disks keep their current contents; their data will not come back.");
        }

        bool windows = targetVm is { } vm && VmMapper.IsWindows(VmMapper.FromJson(vm, null, null, null).OS);
        if (windows && snapshot.CreationTime is { } taken && DateTime.Now - taken > s_windowsTrustAge)
        {
            WriteWarning($"Snapshot '{snapshot.Name}' of a Windows VM is {(int)(DateTime.Now - taken).TotalDays} days old: the restored " +
                "machine may have lost its domain trust (machine account password older than the domain keeps). Be ready to rejoin it.");
        }
    }

    private ErrorRecord RestoreFailure(KubeVirtConnection connection, KubeVirtVMRestore restore, RestoreProgress outcome)
    {
        string events = string.Join("; ", Await(EventReader.ForObjectAsync(connection, restore.Namespace, restore.Name, CancelToken)));
        return ErrorRecords.Create(new InvalidOperationException(
                $"Restore '{restore.Name}' of VM '{restore.VMName}' from snapshot '{restore.SnapshotName}' failed: {outcome.Message}." +
                (events.Length > 0 ? $" Events: {events}" : string.Empty)),
            ErrorIds.RestoreFailed, ErrorCategory.InvalidResult, restore,
            "Fix the cause named above (often: stop the VM first, or add -StopVM), then restore again.");
    }
}

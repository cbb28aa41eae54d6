using System.Management.Automation;
using VmSnapshot.Commands.Completers;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Refusals;
using VmSnapshot.Core.Restores;
using VmSnapshot.Core.Snapshots;
using VmSnapshot.Core.Vms;

namespace VmSnapshot.Commands;

[Cmdlet(VerbsData.Restore, "VMSnapshot", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
    DefaultParameterSetName = InputObjectSet,
    HelpUri = HelpPages.Online + "Restore-VMSnapshot.md")]
[OutputType(typeof(KubeVirtVMRestore), typeof(string))]
public sealed class RestoreVMSnapshotCommand : FollowingCmdlet
{
    private const string NameSet = "Name";
    private const string InputObjectSet = "InputObject";

    private readonly List<KubeVirtVMSnapshot> _selected = new();

    #region Parameters

    [Parameter(ParameterSetName = InputObjectSet, Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public KubeVirtVMSnapshot[] InputObject { get; set; } = Array.Empty<KubeVirtVMSnapshot>();

    [Parameter(ParameterSetName = NameSet, Mandatory = true, Position = 0)]
    [SupportsWildcards]
    [Alias("SnapshotName")]
    [ValidateKubeName(AllowWildcards = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SnapshotNameCompleter))]
    public string Name { get; set; } = string.Empty;

    [Parameter(ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateKubeName(AllowWildcards = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VmNameCompleter))]
    public string? VMName { get; set; }

    [Parameter]
    public SwitchParameter StopVM { get; set; }

    [Parameter]
    public SwitchParameter StartVM { get; set; }

    [Parameter]
    [ValidateSet("StopTarget", "WaitGracePeriod", "FailImmediate", "WaitEventually")]
    public string? TargetReadinessPolicy { get; set; }

    [Parameter]
    [ValidateSet(RestorePlanner.InPlace, RestorePlanner.RandomizeNames, RestorePlanner.PrefixTargetName)]
    public string? VolumeRestorePolicy { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NewVMName { get; set; }

    [Parameter]
    public SwitchParameter KeepMacAddress { get; set; }

    [Parameter]
    public SwitchParameter NoWait { get; set; }

    [Parameter]
    [ValidateTimeSpan]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(30);

    [Parameter]
    public SwitchParameter AsManifest { get; set; }

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
            WriteError(RefusalErrors.ToErrorRecord(Refusal.SnapshotNotFound(Name, @namespace, "Nothing was restored.", VMName)));
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
        RestoreOptions options = new(NewVMName, StopVM, TargetReadinessPolicy, VolumeRestorePolicy, KeepMacAddress);
        Planned<RestorePlan> planned = Await(RestorePlanner.PlanAsync(connection, selected.Namespace, selected.Name, options,
            DateTime.Now, CancelToken));
        if (planned.Refusal is { } refusal)
        {
            WriteError(RefusalErrors.ToErrorRecord(refusal));
            return;
        }

        RestorePlan plan = planned.Plan!;
        foreach (string warning in plan.Warnings)
        {
            WriteWarning(warning);
        }

        RestoreRequest request = plan.Request;
        if (AsManifest)
        {
            WriteObject(RestoreManifest.ToYaml(request));
            return;
        }

        string what = plan.IsNewVM
            ? $"Restore snapshot '{request.SnapshotName}' into a new VM '{request.Namespace}/{request.TargetName}' on '{connection.Origin}'"
            : $"Roll VM '{request.Namespace}/{request.TargetName}' on '{connection.Origin}' back to snapshot '{request.SnapshotName}' (its disks and spec are replaced)";
        if (!ShouldProcess(what, "Restore"))
        {
            return;
        }

        (KubeVirtVMRestore restore, RestoreProgress outcome) = NoWait
            ? RestoreResult.From(Await(RestoreWriter.CreateAsync(connection, request, CancelToken)), connection.Origin)
            : CreateAndWait(connection, request);
        if (!NoWait && outcome.Stage != RestoreStage.Complete)
        {
            WriteError(RestoreFailure(connection, restore, outcome));
            return;
        }

        if (StartVM && !NoWait)
        {
            WriteVerbose($"{request.Namespace}/{request.TargetName}: starting the VM.");
            Await(VmLifecycle.StartAsync(connection, request.Namespace, request.TargetName, CancelToken));
        }

        if (PassThru || NoWait)
        {
            WriteObject(restore);
        }
    }

    private RestoreResult CreateAndWait(KubeVirtConnection connection, RestoreRequest request)
    {
        OperationProgress progress = new(this, "Restoring VM snapshot", $"{request.Namespace}/{request.Name}", activityId: 2);
        try
        {
            return CreateAndFollow(connection, ResourceType.VirtualMachineRestore, request.Namespace, request.Name,
                ct => RestoreWriter.CreateAsync(connection, request, ct), RestoreProgressRules.Evaluate, p => p.IsFinal,
                p => progress.Report(p.Stage.ToString(), p.Message), Timeout,
                final => RestoreResult.From(final, connection.Origin),
                async (final, ct) =>
                {
                    if (RestoreProgressRules.Evaluate(final).Stage == RestoreStage.Complete)
                    {
                        await RestoreUnlock.WaitAsync(connection, Watches(connection), request.Namespace, request.TargetName, ct)
                            .ConfigureAwait(false);
                    }
                });
        }
        finally
        {
            progress.Complete();
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

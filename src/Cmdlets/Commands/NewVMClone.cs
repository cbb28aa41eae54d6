using System.Collections;
using System.Management.Automation;
using VmSnapshot.Commands.Completers;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Clones;
using VmSnapshot.Core.Refusals;
using VmSnapshot.Core.Snapshots;
using VmSnapshot.Core.Vms;

namespace VmSnapshot.Commands;

[Cmdlet(VerbsCommon.New, "VMClone", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = InputObjectSet,
    HelpUri = HelpPages.Online + "New-VMClone.md")]
[OutputType(typeof(KubeVirtVMClone), typeof(string))]
public sealed class NewVMCloneCommand : FollowingCmdlet
{
    private const string InputObjectSet = "InputObject";
    private const string VMSet = "VM";
    private const string SnapshotSet = "Snapshot";

    private string _lastPhase = "Pending";
    private int _sources;

    #region Parameters

    [Parameter(ParameterSetName = InputObjectSet, Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public PSObject? InputObject { get; set; }

    [Parameter(ParameterSetName = VMSet, Mandatory = true)]
    [ValidateKubeName]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VmNameCompleter))]
    public string? VMName { get; set; }

    [Parameter(ParameterSetName = SnapshotSet, Mandatory = true)]
    [ValidateKubeName]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SnapshotNameCompleter))]
    public string? SnapshotName { get; set; }

    [Parameter(Mandatory = true, Position = 0)]
    [Alias("NewVMName")]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    [Parameter]
    public Hashtable? NetworkMap { get; set; }

    [Parameter]
    public SwitchParameter NewMacAddress { get; set; } = true;

    [Parameter]
    public SwitchParameter NewSMBiosSerial { get; set; } = true;

    [Parameter]
    public string[] LabelFilter { get; set; } = Array.Empty<string>();

    [Parameter]
    public string[] AnnotationFilter { get; set; } = Array.Empty<string>();

    [Parameter]
    public SwitchParameter Start { get; set; }

    [Parameter]
    public SwitchParameter NoWait { get; set; }

    [Parameter]
    [ValidateTimeSpan]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(30);

    [Parameter]
    public SwitchParameter AsManifest { get; set; }

    #endregion

    /// <inheritdoc/>
    protected override void BeginProcessing()
    {
        if (Start && NoWait)
        {
            ThrowTerminatingError(ErrorRecords.Create(new ArgumentException(
                    "-Start starts the new VM when the clone is done, which -NoWait does not wait for."),
                ErrorIds.StartRequiresWait, ErrorCategory.InvalidArgument, "Start", "Leave out -NoWait, or -Start."));
        }

        if (SnapshotNaming.Validate(Name) is { } problem)
        {
            ThrowTerminatingError(ErrorRecords.Create(new ArgumentException($"'{Name}' is not a valid VM name: {problem}."),
                ErrorIds.InvalidVMName, ErrorCategory.InvalidArgument, Name,
                "Use lower-case letters, digits and '-', starting and ending with a letter or digit."));
        }
    }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        (string kind, string source, string @namespace, string? sourceVm)? origin = ResolveSource();
        if (origin is not { } from)
        {
            return;
        }

        if (++_sources > 1)
        {
            WriteError(ErrorRecords.Create(new InvalidOperationException(
                    $"A second source ('{from.source}') was given for the one new VM '{Name}'. It was not cloned."),
                ErrorIds.DuplicateTargetName, ErrorCategory.InvalidArgument, from.source,
                "Clone one source per -Name: run New-VMClone once per new VM."));
            return;
        }

        try
        {
            CloneOne(from.kind, from.source, from.@namespace, from.sourceVm);
        }
        catch (KubeApiException e) when (!IsFatalForCommand(e))
        {
            WriteApiError(e, from.source);
        }
        catch (KubeApiException e)
        {
            ThrowApiError(e, from.source);
        }
    }

    /// <summary>What to clone; for a snapshot row that names its VM, that VM too (the snapshot must be of it).</summary>
    private (string Kind, string Source, string Namespace, string? SourceVm)? ResolveSource()
    {
        if (ParameterSetName == VMSet)
        {
            return (CloneRequest.VirtualMachineKind, VMName!, EffectiveNamespace, null);
        }

        if (ParameterSetName == SnapshotSet)
        {
            return (CloneRequest.SnapshotKind, SnapshotName!, EffectiveNamespace, null);
        }

        PipelineInput input = PipelineInput.Classify(InputObject!);
        string @namespace = input.Namespace ?? EffectiveNamespace;
        switch (input.Kind)
        {
            case PipelineInputKind.Snapshot:
                if (input.Snapshot is { } snapshot && ForeignObjectError(snapshot) is { } foreign)
                {
                    WriteError(foreign);
                    return null;
                }

                return (CloneRequest.SnapshotKind, input.Name, @namespace, input.VMName);
            case PipelineInputKind.VM or PipelineInputKind.Name:
                return (CloneRequest.VirtualMachineKind, input.Name, @namespace, null);
            default:
                WriteError(ErrorRecords.Create(new ArgumentException(
                        $"Cannot tell what to clone from the piped {InputObject!.BaseObject.GetType().Name}: it is neither a snapshot, a VM nor a name."),
                    ErrorIds.InvalidInputObject, ErrorCategory.InvalidArgument, InputObject,
                    "Pipe a snapshot from Get-VMSnapshot or a VM from Get-KubeVirtVM, or use -VMName / -SnapshotName."));
                return null;
        }
    }

    private void CloneOne(string kind, string source, string @namespace, string? sourceVm)
    {
        KubeVirtConnection connection = ResolveConnection();
        Dictionary<string, string> networkMap = NetworkMap?.Cast<DictionaryEntry>()
            .ToDictionary(e => e.Key.ToString()!, e => e.Value?.ToString() ?? string.Empty) ?? new Dictionary<string, string>();

        // Kubernetes names are lower case, whatever the case typed.
        CloneOptions options = new(kind, source.ToLowerInvariant(), @namespace, Name, networkMap, NewMacAddress, NewSMBiosSerial,
            LabelFilter, AnnotationFilter)
        { SourceVMName = sourceVm };
        Planned<CloneRequest> planned = Await(ClonePlanner.PlanAsync(connection, options, DateTime.Now, CancelToken));
        if (planned.Refusal is { } refusal)
        {
            WriteError(RefusalErrors.ToErrorRecord(refusal));
            return;
        }

        CloneRequest request = planned.Plan!;
        if (AsManifest)
        {
            WriteObject(CloneManifest.ToYaml(request));
            return;
        }

        if (!ShouldProcess($"{kind} '{@namespace}/{request.SourceName}'", $"Clone into new VM '{Name}'"))
        {
            return;
        }

        (KubeVirtVMClone clone, CloneProgress outcome) = NoWait
            ? CloneResult.From(Await(CloneWriter.CreateAsync(connection, request, CancelToken)), connection.Origin)
            : CreateAndWait(connection, request);
        if (!NoWait && outcome.Phase != "Succeeded")
        {
            WriteError(CloneFailure(connection, clone, outcome));
            return;
        }

        if (Start && !NoWait)
        {
            WriteVerbose($"{@namespace}/{Name}: starting the new VM.");
            Await(VmLifecycle.StartAsync(connection, @namespace, Name, CancelToken));
        }

        clone.VM = NoWait ? null : Await(VmReader.ListAsync(connection, @namespace, null, n => n == Name, CancelToken)).FirstOrDefault();
        WriteObject(clone);
    }

    private CloneResult CreateAndWait(KubeVirtConnection connection, CloneRequest request)
    {
        OperationProgress progress = new(this, "Cloning VM", $"{request.Namespace}/{request.TargetName}", activityId: 3);
        try
        {
            return CreateAndFollow(connection, ResourceType.VirtualMachineClone, request.Namespace, request.Name,
                ct => CloneWriter.CreateAsync(connection, request, ct), CloneProgress.Evaluate, p => p.IsFinal,
                p =>
                {
                    if (!p.IsFinal)
                    {
                        _lastPhase = p.Phase; // so a failure can name the phase it happened in
                    }

                    progress.Report(p.Phase, p.Message);
                }, Timeout, final => CloneResult.From(final, connection.Origin));
        }
        finally
        {
            progress.Complete();
        }
    }

    private ErrorRecord CloneFailure(KubeVirtConnection connection, KubeVirtVMClone clone, CloneProgress outcome)
    {
        string events = string.Join("; ", Await(EventReader.ForObjectAsync(connection, clone.Namespace, clone.Name, CancelToken)));
        return ErrorRecords.Create(new InvalidOperationException(
                $"Clone '{clone.Name}' of {clone.SourceKind} '{clone.SourceName}' failed during {_lastPhase}: {outcome.Message}." +
                (events.Length > 0 ? $" Events: {events}" : string.Empty)),
            ErrorIds.CloneFailed, ErrorCategory.InvalidResult, clone,
            "Fix the cause named above, remove the failed clone object, and try again.");
    }
}

using System.Collections;
using System.Management.Automation;
using VmSnapshot.Commands.Completers;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Refusals;
using VmSnapshot.Core.Snapshots;

namespace VmSnapshot.Commands;

[Cmdlet(VerbsCommon.New, "VMSnapshot", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    HelpUri = HelpPages.Online + "New-VMSnapshot.md")]
[OutputType(typeof(KubeVirtVMSnapshot), typeof(string))]
public sealed class NewVMSnapshotCommand : FollowingCmdlet
{
    private readonly HashSet<string> _namesUsed = new(StringComparer.Ordinal);
    private DateTimeOffset? _expiresAt;

    /// <summary>Ten years: an expiry further away is a typo, not a policy.</summary>
    private static readonly TimeSpan s_longestExpiry = TimeSpan.FromDays(3650);
    private SnapshotFollower? _follower;
    private SemaphoreSlim? _throttle;

    #region Parameters

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [NamesOnlyTransformation("VMName")]
    [ValidateKubeName(IgnoreCase = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VmNameCompleter))]
    public string[] VMName { get; set; } = Array.Empty<string>();

    [Parameter(Position = 1)]
    [Alias("SnapshotName")]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter]
    public string? Description { get; set; }

    [Parameter]
    [ValidateTimeSpan(AllowZero = true)]
    public TimeSpan? FailureDeadline { get; set; }

    [Parameter]
    [ValidateSet("Delete", "Retain")]
    public string? DeletionPolicy { get; set; }

    [Parameter]
    public Hashtable? Label { get; set; }

    [Parameter]
    [AgeTransformation]
    public TimeSpan? ExpiresAfter { get; set; }

    [Parameter]
    public SwitchParameter RequireAllVolumes { get; set; }

    [Parameter]
    [Alias("Quiesce")]
    public SwitchParameter RequireQuiesce { get; set; }

    [Parameter]
    public SwitchParameter NoWait { get; set; }

    [Parameter]
    [ValidateTimeSpan]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(30);

    [Parameter]
    [ValidateRange(1, 100)]
    public int ThrottleLimit { get; set; } = 10;

    [Parameter]
    public SwitchParameter AsManifest { get; set; }

    // KubeVirt snapshots hold no memory: the parameter is there so PowerCLI's habit (New-Snapshot -Memory) gets an
    // explanation instead of a parameter error.
    [Parameter(DontShow = true)]
    public SwitchParameter Memory { get; set; }

    #endregion

    /// <inheritdoc/>
    protected override void BeginProcessing()
    {
        if (Memory)
        {
            ThrowTerminatingError(ErrorRecords.Create(new NotSupportedException(
                    "KubeVirt has no memory snapshots: a VirtualMachineSnapshot holds the VM spec and its disks, and a " +
                    "restored VM boots cold. Drop -Memory; use -RequireQuiesce for an application-consistent disk state."),
                ErrorIds.MemorySnapshotNotSupported, ErrorCategory.InvalidArgument, "Memory", null));
        }

        if (ExpiresAfter is { } keepFor)
        {
            if (keepFor <= TimeSpan.Zero || keepFor > s_longestExpiry)
            {
                ThrowTerminatingError(ErrorRecords.Create(new ArgumentException(
                        $"-ExpiresAfter {keepFor} is not allowed: give a positive age of at most {s_longestExpiry.TotalDays:0} days. Nothing was created."),
                    ErrorIds.InvalidExpiry, ErrorCategory.InvalidArgument, keepFor, "For example -ExpiresAfter (New-TimeSpan -Days 3)."));
            }

            // One expiry for every snapshot of this command, from when it started.
            _expiresAt = DateTimeOffset.UtcNow + keepFor;
        }

        _throttle = new SemaphoreSlim(ThrottleLimit);
    }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        // One -Name for several VMs given at once: refuse before creating any, rather than create the first and
        // refuse the rest (piped VMs arrive one by one; there the second is refused as DuplicateSnapshotName).
        string[] distinctVms = VMName.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n.Trim().ToLowerInvariant()).Distinct().ToArray();
        if (Name is not null && distinctVms.Length > 1)
        {
            ThrowTerminatingError(ErrorRecords.Create(new ArgumentException(
                    $"-Name '{Name}' was given for {distinctVms.Length} VMs ({string.Join(", ", distinctVms)}); a snapshot name is for one VM. Nothing was created."),
                ErrorIds.DuplicateSnapshotName, ErrorCategory.InvalidArgument, Name,
                "Leave out -Name when snapshotting several VMs; each then gets its own <vm>-snapshot-<time> name."));
        }

        // Kubernetes names are lower case: match the VM whatever the case typed, and derive the default name from it.
        foreach (string vmName in VMName.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n.Trim().ToLowerInvariant()))
        {
            string @namespace = EffectiveNamespace;
            string name = Name ?? SnapshotNaming.Default(vmName, DateTime.Now);
            if (SnapshotNaming.Validate(name) is { } problem)
            {
                WriteError(ErrorRecords.Create(new ArgumentException($"'{name}' is not a valid snapshot name: {problem}."),
                    ErrorIds.InvalidSnapshotName, ErrorCategory.InvalidArgument, name,
                    "Use lower-case letters, digits and '-', starting and ending with a letter or digit."));
                continue;
            }

            if (!_namesUsed.Add($"{@namespace}/{name}"))
            {
                WriteError(ErrorRecords.Create(new ArgumentException(
                        $"The snapshot name '{name}' was already used for another VM in this command; -Name is for one VM."),
                    ErrorIds.DuplicateSnapshotName, ErrorCategory.InvalidArgument, vmName,
                    "Leave out -Name when snapshotting several VMs; each then gets its own <vm>-snapshot-<time> name."));
                continue;
            }

            SnapshotRequest request = new(name, @namespace, vmName, Description, FailureDeadline, DeletionPolicy,
                Labels(), AsManifest ? null : ResolveConnection().User, _expiresAt);

            // -Label and -Description are the same for every VM: the API server would refuse them all, so the command
            // ends here, before the first snapshot is created (or written as a manifest it would refuse).
            if (SnapshotManifest.MetadataProblem(request) is { } badMetadata)
            {
                ThrowTerminatingError(MetadataErrors.For(badMetadata, "Nothing was created."));
            }

            if (AsManifest)
            {
                WriteObject(SnapshotManifest.ToYaml(request));
                continue;
            }

            if (IsWhatIf() && !Preview(request))
            {
                continue;
            }

            if (!ShouldProcess($"VM '{@namespace}/{vmName}'", $"Create snapshot '{name}'"))
            {
                continue;
            }

            // Resolved here, on the pipeline thread: the background work below must not write to the pipeline itself.
            KubeVirtConnection connection = ResolveConnection();
            _follower ??= new SnapshotFollower(this, Queue, Watches(connection), connection, "Taking VM snapshots", Timeout,
                RequireQuiesce);
            StartOperation(() => TakeAsync(connection, request), vmName, e => CreateError(e, request));
        }
    }

    /// <summary>
    /// -WhatIf says what the real run would: the engine's checks run (reads only), so a misspelt VM is the VMNotFound
    /// the run would give, not the promise of a snapshot, and a disk the snapshot would miss is warned about. Without
    /// -WhatIf the same checks run in the background, next to the create, so many VMs are checked at once.
    /// </summary>
    private bool Preview(SnapshotRequest request)
    {
        Planned<SnapshotPlan> planned;
        try
        {
            planned = Await(SnapshotPlanner.CheckAsync(ResolveConnection(), request, RequireAllVolumes, CancelToken));
        }
        catch (KubeApiException e) when (!IsFatalForCommand(e))
        {
            WriteApiError(e, request.VMName);
            return false;
        }
        catch (KubeApiException e)
        {
            ThrowApiError(e, request.VMName);
            throw;
        }

        if (planned.Refusal is { } refusal)
        {
            WriteError(RefusalErrors.ToErrorRecord(refusal));
            return false;
        }

        foreach (string warning in planned.Plan!.Warnings)
        {
            WriteWarning(warning);
        }

        return true;
    }

    /// <summary>-WhatIf given, or $WhatIfPreference set and not overridden by -WhatIf:$false.</summary>
    private bool IsWhatIf() => MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? given)
        ? given is SwitchParameter { IsPresent: true }
        : LanguagePrimitives.IsTrue(SessionState.PSVariable.GetValue("WhatIfPreference"));

    /// <inheritdoc/>
    private protected override void OnOperationsEnded() => _follower?.Complete();

    /// <remarks>
    /// -ThrottleLimit bounds the requests (reading the VM, creating the snapshot), not the waits: waiting costs only a
    /// subscription on the namespace's shared watch, so 200 snapshots take about as long as the slowest one.
    /// </remarks>
    private async Task TakeAsync(KubeVirtConnection connection, SnapshotRequest request)
    {
        // A default name has one-second resolution, like the console's; a second snapshot of the same VM within that
        // second gets a suffix instead of failing. A name the user chose is never changed. Any other failure is
        // reported for this VM by the operation's guard (CreateError).
        string baseName = request.Name;
        for (int attempt = 2; ; attempt++)
        {
            try
            {
                await _follower!.CreateAsync(connection, request, RequireAllVolumes, wait: !NoWait, _throttle!, CancelToken)
                    .ConfigureAwait(false);
                return;
            }
            catch (KubeApiException e) when (e.Kind == ApiErrorKind.AlreadyExists && Name is null && attempt <= 9)
            {
                request = request with { Name = $"{baseName}-{attempt}" };
            }
        }
    }

    private ErrorRecord CreateError(KubeApiException e, SnapshotRequest request)
    {
        if (e.Kind == ApiErrorKind.AlreadyExists)
        {
            return ErrorRecords.Create(new InvalidOperationException(
                    $"A snapshot named '{request.Name}' already exists in namespace '{request.Namespace}'. Nothing was created."),
                ErrorIds.SnapshotExists, ErrorCategory.ResourceExists, request.Name,
                "Choose another -Name, or leave it out to get a time-stamped name.");
        }

        if (ApiConditions.IsFeatureGateDisabled(e))
        {
            return ErrorRecords.Create(new InvalidOperationException(
                    $"The cluster refused the snapshot: {e.Message}. Nothing was created."),
                ErrorIds.FeatureGateDisabled, ErrorCategory.NotEnabled, request.VMName,
                "Ask the cluster administrator to enable KubeVirt's Snapshot feature gate.");
        }

        return ErrorRecords.FromApi(e, request.VMName);
    }

    private Dictionary<string, string> Labels() =>
        Label?.Cast<DictionaryEntry>().ToDictionary(e => e.Key.ToString()!, e => e.Value?.ToString() ?? string.Empty)
        ?? new Dictionary<string, string>();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _throttle?.Dispose();
        }

        base.Dispose(disposing);
    }
}

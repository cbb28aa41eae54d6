using System.Management.Automation;
using VmSnapshot.Commands.Completers;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;
using VmSnapshot.Core.Quiesce;
using VmSnapshot.Core.Refusals;

namespace VmSnapshot.Commands;

[Cmdlet(VerbsDiagnostic.Test, "GuestQuiesce", DefaultParameterSetName = NamespaceSet, SupportsShouldProcess = true,
    ConfirmImpact = ConfirmImpact.Medium,
    HelpUri = HelpPages.Online + "Test-GuestQuiesce.md")]
[OutputType(typeof(QuiesceReadiness), typeof(bool))]
public sealed class TestGuestQuiesceCommand : NamespacedCmdlet
{
    private const string NamespaceSet = "Namespace";
    private const string AllNamespacesSet = "AllNamespaces";

    /// <summary>The namespace key for -AllNamespaces in <see cref="_targets"/>.</summary>
    private const string AllNamespacesKey = "";

    private static readonly TimeSpan s_maxHold = TimeSpan.FromMinutes(5);

    // Per namespace, the names asked for; an empty list means every VM there.
    private readonly Dictionary<string, List<string>> _targets = new(StringComparer.Ordinal);
    private readonly TrialGuard _guard = new();

    #region Parameters

    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [NamesOnlyTransformation("VMName")]
    [ValidateKubeName(AllowWildcards = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VmNameCompleter))]
    public string[]? VMName { get; set; }

    [Parameter(ParameterSetName = AllNamespacesSet, Mandatory = true)]
    [Alias("A")]
    public SwitchParameter AllNamespaces { get; set; }

    [Parameter]
    public SwitchParameter Quiet { get; set; }

    [Parameter]
    public SwitchParameter AllowPartial { get; set; }

    [Parameter]
    public SwitchParameter Trial { get; set; }

    [Parameter]
    public TimeSpan TrialHold { get; set; } = TimeSpan.Zero;

    #endregion

    /// <inheritdoc/>
    protected override void BeginProcessing()
    {
        if (!MyInvocation.BoundParameters.ContainsKey(nameof(TrialHold)))
        {
            return;
        }

        string? problem = !Trial
            ? "-TrialHold only has a meaning with -Trial."
            : TrialHold < TimeSpan.Zero || TrialHold > s_maxHold
                ? $"-TrialHold must lie between 0 and {s_maxHold.TotalMinutes:0} minutes (a guest frozen longer stalls its applications); it was {TrialHold}."
                : null;
        if (problem is not null)
        {
            ThrowTerminatingError(ErrorRecords.Create(new ArgumentException(problem), ErrorIds.InvalidTrialHold,
                ErrorCategory.InvalidArgument, TrialHold, Trial ? "Give a shorter -TrialHold." : "Add -Trial, or leave out -TrialHold."));
        }
    }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        string key = NamespaceOrAll(AllNamespaces) ?? AllNamespacesKey;
        if (!_targets.TryGetValue(key, out List<string>? names))
        {
            _targets[key] = names = new List<string>();
        }

        // No names for a namespace at all means "every VM"; once that is asked for, names add nothing.
        if (VMName is null || VMName.Length == 0)
        {
            names.Clear();
            names.Add("*");
        }
        else if (!names.Contains("*"))
        {
            names.AddRange(VMName);
        }
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        KubeVirtConnection connection = ResolveConnection();
        QuiesceSurvey survey = new(connection);
        OperationProgress progress = new(this, "Testing guest quiesce", "VMs", activityId: 7);
        try
        {
            foreach ((string key, List<string> names) in _targets)
            {
                string? @namespace = key == AllNamespacesKey ? null : key;
                progress.Report("Reading", $"{(@namespace is null ? "all namespaces" : $"namespace '{@namespace}'")}: " +
                    $"VMs, instances ({survey.Samples} samples of the guest agent), snapshots and access reviews");
                TestNamespace(connection, survey, @namespace, new NameFilter(names), progress);
            }
        }
        finally
        {
            progress.Complete();
        }
    }

    private void TestNamespace(KubeVirtConnection connection, QuiesceSurvey survey, string? @namespace, NameFilter names,
        OperationProgress progress)
    {
        IReadOnlyList<QuiesceInputs> found;
        try
        {
            found = Await(survey.ReadAsync(@namespace, names.IsMatch, CancelToken));
        }
        catch (KubeApiException e)
        {
            if (IsFatalForCommand(e))
            {
                ThrowApiError(e, (object?)@namespace ?? "all namespaces");
            }

            WriteApiError(e, (object?)@namespace ?? "all namespaces");
            return;
        }

        if (found.Count == 0 && ReportMissingNamespace(@namespace))
        {
            return;
        }

        foreach (QuiesceInputs inputs in found)
        {
            QuiesceInputs judged = Trial ? RunTrial(connection, inputs, progress) : inputs;
            QuiesceReadiness readiness = QuiesceEvaluator.Evaluate(judged, survey.Context, AllowPartial);
            if (judged.Trial?.StillFrozen == true)
            {
                WriteError(ErrorRecords.Create(new InvalidOperationException(
                        $"VM '{readiness.Namespace}/{readiness.VMName}' still reports its file systems frozen after the " +
                        $"trial's thaw. The cluster thaws it by itself within {judged.Trial.UnfreezeTimeout.TotalSeconds:0} s."),
                    ErrorIds.GuestStillFrozen, ErrorCategory.InvalidResult, readiness,
                    "Check the guest agent in the VM; if the guest stays frozen, restart qemu-guest-agent in it."));
            }

            WriteObject(Quiet ? readiness.IsApplicationConsistent : readiness);
        }

        foreach (string missing in names.Literals.Where(n => found.All(i => !i.Name.Equals(n, StringComparison.OrdinalIgnoreCase))))
        {
            WriteError(RefusalErrors.ToErrorRecord(Refusal.VMNotFound(missing, @namespace)));
        }
    }

    /// <summary>Freezes and thaws one VM, unless it cannot or the user declines; the thaw is guaranteed by the trial.</summary>
    private QuiesceInputs RunTrial(KubeVirtConnection connection, QuiesceInputs inputs, OperationProgress progress)
    {
        string target = $"{inputs.Namespace}/{inputs.Name}";
        if (QuiesceEvaluator.TrialSkipReason(inputs) is { } skip)
        {
            WriteWarning($"VM '{target}': the trial freeze was skipped: {skip}");
            return inputs with { Trial = TrialOutcome.Skipped(skip) };
        }

        string hold = TrialHold > TimeSpan.Zero ? $", held {TrialHold.TotalSeconds:0.#} s" : string.Empty;
        if (!ShouldProcess($"VM '{target}'", $"Freeze and thaw the guest file systems (guest writes pause{hold})"))
        {
            return inputs;
        }

        progress.Report("Trial", $"{target}: freezing (the cluster thaws by itself after " +
            $"{(TrialHold + QuiesceTrial.UnfreezeMargin).TotalSeconds:0} s if this session dies)");
        TrialOutcome outcome;
        _guard.Enter(connection, inputs.Namespace, inputs.Name);
        try
        {
            outcome = Await(QuiesceTrial.RunAsync(connection, inputs.Namespace, inputs.Name, TrialHold, CancelToken));
        }
        finally
        {
            _guard.Leave();
        }

        progress.Report("Trial", outcome.FreezeError is null
            ? $"{target}: froze in {outcome.FreezeDuration?.TotalMilliseconds:0} ms; thaw {(outcome.ThawError is null ? "done" : "failed: " + outcome.ThawError)}"
            : $"{target}: the freeze failed: {outcome.FreezeError}");
        return inputs with { Trial = outcome };
    }

    /// <inheritdoc/>
    protected override void StopProcessing()
    {
        // Cancel first (the trial's own finally then thaws), and thaw from here too in case the pipeline thread is
        // stuck somewhere that does not notice the cancellation.
        base.StopProcessing();
        _guard.ThawNow();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _guard.WaitForThaw();
        }

        base.Dispose(disposing);
    }
}

using System.Management.Automation;
using VmSnapshot.Commands.Completers;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Health;
using VmSnapshot.Core.Refusals;
using VmSnapshot.Core.Vms;

namespace VmSnapshot.Commands;

[Cmdlet(VerbsDiagnostic.Test, "VMHealth", DefaultParameterSetName = NamespaceSet,
    HelpUri = HelpPages.Online + "Test-VMHealth.md")]
[OutputType(typeof(KubeVirtVMHealth), typeof(bool))]
public sealed class TestVMHealthCommand : FollowingCmdlet
{
    private const string NamespaceSet = "Namespace";
    private const string AllNamespacesSet = "AllNamespaces";

    // Per namespace ("" for all), the names asked for; "*" means every VM there.
    private readonly Dictionary<string, List<string>> _targets = new(StringComparer.Ordinal);
    // Results are written in the order the VMs were listed, whichever finishes first (pipeline thread only).
    private readonly Dictionary<int, Action> _finished = new();
    private int _nextToWrite;
    private int _started;
    private SemaphoreSlim? _throttle;

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
    [ValidateSet(HealthCheckNames.Running, HealthCheckNames.Ready, HealthCheckNames.AgentConnected, HealthCheckNames.GuestAddress,
        HealthCheckNames.ClaimBound, HealthCheckNames.DataVolume, HealthCheckNames.VolumeAttached)]
    public string[] SkipCheck { get; set; } = Array.Empty<string>();

    [Parameter]
    [ValidateRange(1, 65535)]
    public int[] TcpPort { get; set; } = Array.Empty<int>();

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TcpHost { get; set; }

    [Parameter]
    [ValidateNotNull]
    public Uri? HttpUri { get; set; }

    [Parameter]
    [ValidateRange(100, 599)]
    public int ExpectedStatus { get; set; } = 200;

    [Parameter]
    [ValidateNotNull]
    public ScriptBlock? HealthCheck { get; set; }

    [Parameter]
    public SwitchParameter Wait { get; set; }

    [Parameter]
    [ValidateTimeSpan]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    [Parameter]
    [ValidateRange(1, 100)]
    public int ConsecutivePasses { get; set; } = 3;

    [Parameter]
    [ValidateTimeSpan(AllowZero = true)]
    public TimeSpan GracePeriod { get; set; } = TimeSpan.Zero;

    [Parameter]
    [ValidateTimeSpan]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    [Parameter]
    public SwitchParameter Quiet { get; set; }

    [Parameter]
    [ValidateRange(1, 100)]
    public int ThrottleLimit { get; set; } = 10;

    #endregion

    /// <inheritdoc/>
    protected override void BeginProcessing()
    {
        string[] waitOnly = new[] { nameof(ConsecutivePasses), nameof(GracePeriod), nameof(Interval), nameof(Timeout) }
            .Where(MyInvocation.BoundParameters.ContainsKey).Select(name => "-" + name).ToArray();
        if (!Wait && waitOnly.Length > 0)
        {
            ThrowTerminatingError(ErrorRecords.Create(new ArgumentException(
                    $"{string.Join(", ", waitOnly)} only {(waitOnly.Length == 1 ? "has" : "have")} a meaning with -Wait " +
                    "(as do -ConsecutivePasses, -GracePeriod, -Interval and -Timeout). Nothing was checked."),
                ErrorIds.WaitParameterWithoutWait, ErrorCategory.InvalidArgument, null,
                $"Add -Wait, or leave {(waitOnly.Length == 1 ? "it" : "them")} out."));
        }

        if (Wait && ErrorRecords.HealthWaitProblem(new HealthGatePolicy(Timeout, ConsecutivePasses, GracePeriod, Interval),
                "-Timeout", "-Interval", MyInvocation.BoundParameters.ContainsKey(nameof(Timeout))) is { } cannotPass)
        {
            ThrowTerminatingError(cannotPass);
        }

        if (HttpUriParameter.Problem(HttpUri) is { } badUri)
        {
            ThrowTerminatingError(badUri);
        }

        _throttle = new SemaphoreSlim(ThrottleLimit);
    }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        string key = NamespaceOrAll(AllNamespaces) ?? string.Empty;
        if (!_targets.TryGetValue(key, out List<string>? names))
        {
            _targets[key] = names = new List<string>();
        }

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
        HealthOptions options = new(SkipCheck, TcpPort, TcpHost, HttpUri, ExpectedStatus, TimeSpan.FromSeconds(5));
        HealthGatePolicy policy = new(Timeout, ConsecutivePasses, GracePeriod, Interval);
        OperationProgress progress = new(this, "Testing VM health", "VMs", activityId: 8);
        foreach ((string key, List<string> names) in _targets)
        {
            string? @namespace = key.Length == 0 ? null : key;
            NameFilter filter = new(names);
            IReadOnlyList<KubeVirtVM> vms;
            try
            {
                vms = Await(VmReader.ListAsync(connection, @namespace, null, filter.IsMatch, CancelToken));
            }
            catch (KubeApiException e) when (!IsFatalForCommand(e))
            {
                WriteApiError(e, (object?)@namespace ?? "all namespaces");
                continue;
            }
            catch (KubeApiException e)
            {
                ThrowApiError(e, (object?)@namespace ?? "all namespaces");
                throw;
            }

            if (vms.Count == 0 && ReportMissingNamespace(@namespace))
            {
                continue; // a health gate over a misspelt namespace must not pass on nothing checked
            }

            foreach (string missing in filter.Literals.Where(n => vms.All(vm => !vm.Name.Equals(n, StringComparison.OrdinalIgnoreCase))))
            {
                WriteError(RefusalErrors.ToErrorRecord(Refusal.VMNotFound(missing, @namespace)));
            }

            foreach (KubeVirtVM vm in vms)
            {
                int index = _started++;
                StartOperation(async () =>
                {
                    try
                    {
                        await CheckAsync(connection, vm, index, options, policy, progress).ConfigureAwait(false);
                    }
                    catch
                    {
                        // The guard reports the failure; the results after this one must not wait for it.
                        PostToPipeline(() => Finish(index, () => { }));
                        throw;
                    }
                }, vm);
            }
        }

        try
        {
            base.EndProcessing();
        }
        finally
        {
            progress.Complete();
        }
    }

    private async Task CheckAsync(KubeVirtConnection connection, KubeVirtVM vm, int index, HealthOptions options,
        HealthGatePolicy policy, OperationProgress progress)
    {
        Func<KubeVirtVMHealth, CancellationToken, Task<VMHealthCheck>>? userCheck =
            HealthCheck is null ? null : (health, _) => OnPipelineThread(() => ScriptHealthCheck.Run(HealthCheck!, vm, health));

        async Task<KubeVirtVMHealth?> Look(CancellationToken ct)
        {
            await _throttle!.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                return await HealthProbe.CheckAsync(connection, vm.Namespace, vm.Name, options, userCheck, ct).ConfigureAwait(false);
            }
            finally
            {
                _throttle.Release();
            }
        }

        KubeVirtVMHealth? result;
        if (!Wait)
        {
            result = await Look(CancelToken).ConfigureAwait(false);
        }
        else
        {
            HealthGateResult? gate = await HealthGate.WaitAsync(Look, policy,
                look => PostToPipeline(() => progress.Report($"{vm}", $"look {look.Samples}: {look.Summary}")), null, CancelToken)
                .ConfigureAwait(false);
            result = gate?.Verdict(policy);
            if (gate is { Passed: false })
            {
                PostToPipeline(() => WriteWarning(
                    $"VM '{vm}': {gate.DescribeFailure(policy)}."));
            }
        }

        PostToPipeline(() => Finish(index, result is null
            ? () => WriteError(RefusalErrors.ToErrorRecord(Refusal.VMNotFound(vm.Name, vm.Namespace, "It was deleted while being checked.")))
            : () => WriteObject(Quiet ? result.Healthy : result)));
    }

    /// <summary>Writes the results that are next in line (pipeline thread).</summary>
    private void Finish(int index, Action write)
    {
        _finished[index] = write;
        while (_finished.Remove(_nextToWrite, out Action? next))
        {
            next();
            _nextToWrite++;
        }
    }

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

using System.Management.Automation;
using VmSnapshot.Commands.Completers;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Health;
using VmSnapshot.Core.Refusals;
using VmSnapshot.Core.Vms;

namespace VmSnapshot.Commands;

/// <summary>
/// <para type="synopsis">Tells whether KubeVirt VMs are healthy now, by the checks an operator makes after
/// maintenance.</para>
/// <para type="description">Checks that the instance is Running and Ready (the VM's readinessProbe), the guest agent
/// is connected, the guest reports an IP address, every claim is Bound, every DataVolume has Succeeded and every
/// volume is attached; optionally that TCP ports or an HTTP endpoint answer from where the command runs, and a check
/// of your own. -Wait waits for several healthy looks in a row, for a guest that is rebooting.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "VMHealth", DefaultParameterSetName = NamespaceSet)]
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

    /// <summary>
    /// <para type="description">The VM(s) to check. Wildcards are supported; without it every VM of the namespace is
    /// checked. Takes names and, by property name, VM objects from Get-KubeVirtVM.</para>
    /// </summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [NamesOnlyTransformation("VMName")]
    [ValidateKubeName(AllowWildcards = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VmNameCompleter))]
    public string[]? VMName { get; set; }

    /// <summary><para type="description">Check VMs in every namespace the caller may list.</para></summary>
    [Parameter(ParameterSetName = AllNamespacesSet, Mandatory = true)]
    [Alias("A")]
    public SwitchParameter AllNamespaces { get; set; }

    /// <summary>
    /// <para type="description">Checks to leave out, e.g. AgentConnected and GuestAddress for a VM without a guest
    /// agent. They are reported as Skip.</para>
    /// </summary>
    [Parameter]
    [ValidateSet(HealthCheckNames.Running, HealthCheckNames.Ready, HealthCheckNames.AgentConnected, HealthCheckNames.GuestAddress,
        HealthCheckNames.ClaimBound, HealthCheckNames.DataVolume, HealthCheckNames.VolumeAttached)]
    public string[] SkipCheck { get; set; } = Array.Empty<string>();

    /// <summary>
    /// <para type="description">TCP ports that must accept a connection from where the command runs, e.g. 3389 or 22.
    /// Connects to -TcpHost, or to the guest's first reported IP address.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int[] TcpPort { get; set; } = Array.Empty<int>();

    /// <summary>
    /// <para type="description">The host name or address for -TcpPort, e.g. the VM's Service or Route name, when the
    /// guest's own address is not reachable from here (pod networks usually are not).</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TcpHost { get; set; }

    /// <summary>
    /// <para type="description">An http or https endpoint that must answer a GET with -ExpectedStatus, e.g. the
    /// application's health URL.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNull]
    public Uri? HttpUri { get; set; }

    /// <summary><para type="description">The HTTP status -HttpUri must answer with. Default: 200.</para></summary>
    [Parameter]
    [ValidateRange(100, 599)]
    public int ExpectedStatus { get; set; } = 200;

    /// <summary>
    /// <para type="description">A check of your own: a script block that gets the VM (from Get-KubeVirtVM) and the
    /// health so far, and returns $true when the VM is healthy. A throw or any other result fails the check.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNull]
    public ScriptBlock? HealthCheck { get; set; }

    /// <summary>
    /// <para type="description">Wait until each VM is healthy -ConsecutivePasses looks in a row, or -Timeout runs out
    /// (the last look is returned either way).</para>
    /// </summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>
    /// <para type="description">How long -Wait waits at most, grace period included: more than 0, at most 24 days.
    /// Default: 5 minutes.</para>
    /// </summary>
    [Parameter]
    [ValidateTimeSpan]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary><para type="description">With -Wait: how many healthy looks in a row count as healthy. Default: 3.</para></summary>
    [Parameter]
    [ValidateRange(1, 100)]
    public int ConsecutivePasses { get; set; } = 3;

    /// <summary>
    /// <para type="description">With -Wait: how long to wait before the first look, for a guest that is about to
    /// reboot and still answers. Default: none.</para>
    /// </summary>
    [Parameter]
    [ValidateTimeSpan(AllowZero = true)]
    public TimeSpan GracePeriod { get; set; } = TimeSpan.Zero;

    /// <summary><para type="description">With -Wait: the time between looks. Default: 5 seconds.</para></summary>
    [Parameter]
    [ValidateTimeSpan]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// <para type="description">Return only $true (healthy) or $false per VM, for if statements in change
    /// scripts.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <summary><para type="description">How many VMs to check at once. Default: 10.</para></summary>
    [Parameter]
    [ValidateRange(1, 100)]
    public int ThrottleLimit { get; set; } = 10;

    #endregion

    /// <inheritdoc/>
    protected override void BeginProcessing()
    {
        if (!Wait && (MyInvocation.BoundParameters.ContainsKey(nameof(ConsecutivePasses)) ||
                      MyInvocation.BoundParameters.ContainsKey(nameof(GracePeriod)) ||
                      MyInvocation.BoundParameters.ContainsKey(nameof(Interval))))
        {
            ThrowTerminatingError(ErrorRecords.Create(new ArgumentException(
                    "-ConsecutivePasses, -GracePeriod and -Interval only have a meaning with -Wait."),
                ErrorIds.WaitParameterWithoutWait, ErrorCategory.InvalidArgument, null, "Add -Wait, or leave them out."));
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
            result = gate?.Last;
            if (gate is { Passed: false })
            {
                PostToPipeline(() => WriteWarning(
                    $"VM '{vm}' was not healthy {ConsecutivePasses} looks in a row within {Timeout} ({gate.Samples.Count} looks): {gate.Last.Summary}"));
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

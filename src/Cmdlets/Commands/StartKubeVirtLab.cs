using System.Management.Automation;
using System.Runtime.InteropServices;
using VmSnapshot.Commands.Completers;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Core.Connection;
using VmSnapshot.Lab;

namespace VmSnapshot.Commands;

/// <summary>
/// <para type="synopsis">Starts a simulated KubeVirt cluster in this process.</para>
/// <para type="description">The lab is a Kubernetes API server with KubeVirt's resources on a loopback port. It
/// writes a kubeconfig (server, bearer token, context, namespace) that kubectl, KubernetesClient and this module can
/// use, so change scripts and Pester tests can run without a cluster. Several labs can run side by side.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "KubeVirtLab")]
[OutputType(typeof(KubeVirtLabInfo))]
public sealed class StartKubeVirtLabCommand : CancellableCmdlet
{
    #region Parameters

    /// <summary>
    /// <para type="description">A built-in scenario ('default', 'empty') or the path of a scenario YAML file.
    /// Default: 'default'.</para>
    /// </summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ScenarioCompleter))]
    public string Scenario { get; set; } = "default";

    /// <summary>
    /// <para type="description">The loopback port to listen on. 0 (the default) picks a free port.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(0, 65535)]
    public int Port { get; set; }

    /// <summary>
    /// <para type="description">Where to write the lab's kubeconfig. Default: a new file in the temp folder,
    /// deleted when the lab stops.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KubeconfigPath { get; set; }

    /// <summary>
    /// <para type="description">The lab's name: its kubeconfig cluster, user and context name.</para>
    /// </summary>
    [Parameter]
    [ValidatePattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    public string Name { get; set; } = "kubevirt-lab";

    /// <summary>
    /// <para type="description">Serve HTTPS with a self-signed certificate whose CA goes into the kubeconfig.
    /// kubectl sends tokens only over HTTPS, so use this to drive the lab with kubectl.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter UseTls { get; set; }

    /// <summary>
    /// <para type="description">How fast the lab's clock runs against real time: 1 (the default) gives realistic
    /// durations, 20 makes a 2-second snapshot take 0.1 s, 0.1 slows everything down tenfold. Deadlines and grace
    /// periods run on the same clock.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(0.001, 10000)]
    public double ClockSpeed { get; set; } = 1;

    /// <summary>
    /// <para type="description">Make the lab the session's default connection, as Connect-KubeVirt would.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter Connect { get; set; }

    /// <summary>
    /// <para type="description">Overwrite the file named by -KubeconfigPath if it exists.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>
    /// <para type="description">Keep running until Ctrl+C (or SIGTERM), then stop the lab. For serving kubectl
    /// from a terminal.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    #endregion

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        string scenario = Scenario;
        if (LooksLikePath(scenario))
        {
            scenario = SessionState.Path.GetUnresolvedProviderPathFromPSPath(scenario);
        }

        string? kubeconfig = KubeconfigPath is null
            ? null
            : SessionState.Path.GetUnresolvedProviderPathFromPSPath(KubeconfigPath);
        if (kubeconfig is not null && File.Exists(kubeconfig) && !Force)
        {
            // It may be the user's real kubeconfig: never overwrite it unasked.
            ThrowTerminatingError(ErrorRecords.Create(new IOException($"The file '{kubeconfig}' exists. Nothing was started."),
                ErrorIds.KubeconfigExists, ErrorCategory.ResourceExists, kubeconfig,
                "Choose another -KubeconfigPath, or add -Force to overwrite that file."));
        }
        LabOptions options = new()
        {
            Port = Port,
            Scenario = scenario,
            UseTls = UseTls,
            KubeconfigPath = kubeconfig,
            Name = Name,
            ClockSpeed = ClockSpeed,
        };

        KubeVirtLabInfo lab;
        try
        {
            lab = LabRegistry.Start(options, scenario, ownsKubeconfig: kubeconfig is null);
        }
        catch (System.Net.Sockets.SocketException e) when (e.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse)
        {
            ThrowTerminatingError(ErrorRecords.Create(
                new IOException($"Port {Port} on 127.0.0.1 is already in use (another lab, or another program). Nothing was started.", e),
                ErrorIds.LabPortInUse, ErrorCategory.ResourceUnavailable, Port,
                "Leave out -Port (or pass -Port 0) to let the lab pick a free port, or stop what listens on that port."));
            return;
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ThrowTerminatingError(ErrorRecords.Create(e, ErrorIds.LabStartFailed, ErrorCategory.InvalidOperation,
                Scenario, "Check the scenario name or file, and that the port is free (or use -Port 0)."));
            return;
        }

        WriteVerbose($"Lab '{lab.Name}' is serving {lab.Server}; kubeconfig: {lab.KubeconfigPath}.");
        if (Connect)
        {
            SessionConnections.Current = ConnectionFactory.FromKubeconfig(new[] { lab.KubeconfigPath }, lab.Context,
                @namespace: null);
            WriteVerbose($"Session connected to lab '{lab.Name}' (namespace '{lab.Namespace}').");
        }

        WriteObject(lab);
        if (Wait)
        {
            WaitForStop(lab);
        }
    }

    /// <summary>Blocks until Ctrl+C (StopProcessing) or SIGTERM, then stops the lab.</summary>
    private void WaitForStop(KubeVirtLabInfo lab)
    {
        using CancellationTokenSource terminated = new();
        using PosixSignalRegistration? sigterm = OperatingSystem.IsWindows()
            ? null
            : PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true; // we stop cleanly ourselves
                terminated.Cancel();
            });
        using CancellationTokenSource either = CancellationTokenSource.CreateLinkedTokenSource(CancelToken,
            terminated.Token);
        WriteVerbose("Serving until Ctrl+C or SIGTERM.");
        try
        {
            either.Token.WaitHandle.WaitOne();
        }
        finally
        {
            LabRegistry.Stop(lab);
        }
    }

    private static bool LooksLikePath(string scenario) =>
        scenario.IndexOfAny(new[] { '/', '\\', '.' }) >= 0;
}

using System.Management.Automation;
using System.Runtime.InteropServices;
using VmSnapshot.Commands.Completers;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Core.Connection;
using VmSnapshot.Lab;

namespace VmSnapshot.Commands;

[Cmdlet(VerbsLifecycle.Start, "KubeVirtLab", HelpUri = HelpPages.Online + "Start-KubeVirtLab.md")]
[OutputType(typeof(KubeVirtLabInfo))]
public sealed class StartKubeVirtLabCommand : CancellableCmdlet
{
    #region Parameters

    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ScenarioCompleter))]
    public string Scenario { get; set; } = "default";

    [Parameter]
    [ValidateRange(0, 65535)]
    public int Port { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KubeconfigPath { get; set; }

    [Parameter]
    [ValidatePattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    public string Name { get; set; } = "kubevirt-lab";

    [Parameter]
    public SwitchParameter UseTls { get; set; }

    [Parameter]
    [ValidateRange(0.001, 10000)]
    public double ClockSpeed { get; set; } = 1;

    [Parameter]
    public SwitchParameter Connect { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

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
            lab = LabRegistry.Start(options, scenario);
        }
        catch (System.Net.Sockets.SocketException e) when (e.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse)
        {
            ThrowTerminatingError(ErrorRecords.Create(
                new IOException($"Port {Port} on 127.0.0.1 is already in use (another lab, or another program). Nothing was started.", e),
                ErrorIds.LabPortInUse, ErrorCategory.ResourceUnavailable, Port,
                "Leave out -Port (or pass -Port 0) to let the lab pick a free port, or stop what listens on that port."));
            return;
        }
        catch (Exception e) when (e is FormatException or FileNotFoundException)
        {
            // The scenario is wrong (its message names what and where): advice about ports would only mislead.
            ThrowTerminatingError(ErrorRecords.Create(e, ErrorIds.LabStartFailed, ErrorCategory.InvalidArgument, Scenario,
                "Nothing was started. Fix the scenario (Get-Help about_KubeVirtLab_Scenarios), or use a built-in one: " +
                "default, empty or scale:NxM."));
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

    /// <summary>
    /// Blocks until Ctrl+C (StopProcessing), then stops the lab. On SIGTERM the handler stops the lab and lets the signal
    /// end the process, as it would have: cancelling it to return normally left the script running after a kill.
    /// </summary>
    private void WaitForStop(KubeVirtLabInfo lab)
    {
        using PosixSignalRegistration? sigterm = OperatingSystem.IsWindows()
            ? null
            : PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => LabRegistry.Stop(lab));
        WriteVerbose("Serving until Ctrl+C or SIGTERM.");
        try
        {
            CancelToken.WaitHandle.WaitOne();
        }
        finally
        {
            LabRegistry.Stop(lab);
        }
    }

    private static bool LooksLikePath(string scenario) =>
        scenario.IndexOfAny(new[] { '/', '\\', '.' }) >= 0;
}

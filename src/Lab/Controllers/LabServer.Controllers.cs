using VmSnapshot.Lab.Admission;
using VmSnapshot.Lab.Controllers;
using VmSnapshot.Lab.Controllers.Subresources;
using VmSnapshot.Lab.Scenarios;
using VmSnapshot.Lab.Time;

namespace VmSnapshot.Lab;

// The emulated KubeVirt of a lab: controllers, webhooks and virt-api subresources (issue 4).
public sealed partial class LabServer
{
    /// <summary>The controllers, or null when <see cref="LabOptions.RunControllers"/> is false.</summary>
    public ControllerHost? Controllers { get; private set; }

    /// <summary>The lab clock (speed from LabOptions.ClockSpeed or the scenario's clockSpeed).</summary>
    public LabClock Clock { get; private set; } = new(1);

    private void StartControllers(Scenario scenario)
    {
        var settings = ControllerSettings.Parse(scenario.Settings);
        var speed = Options.ClockSpeed != 1 ? Options.ClockSpeed : settings.ClockSpeed ?? 1;
        Clock = new LabClock(speed);
        if (!Options.RunControllers) return;
        var host = new ControllerHost(Store, Clock, settings);
        Store.Admission.Register(new VirtualMachineWebhook());
        Store.Admission.Register(new VirtualMachineSnapshotWebhook(Store, settings.KubeVirt));
        Store.Admission.Register(new VirtualMachineRestoreWebhook(Store, settings.KubeVirt));
        Store.Admission.Register(new VirtualMachineCloneWebhook(Store, settings.KubeVirt));
        Store.AggregatedApis.Register(new KubeVirtSubresourceApi(host));
        host.Start();
        Controllers = host;
        // A new lab answers with reconciled state (volumeSnapshotStatuses, finalizers, agents), as a settled cluster would.
        host.WaitForIdle(TimeSpan.FromSeconds(10));
    }

    private void StopControllers()
    {
        Controllers?.Dispose();
        Store.Admission.Clear();
        Store.AggregatedApis.Clear();
    }
}

using System.Text.Json;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Health;

/// <summary>
/// Judges a VM's health from what the cluster reports, the way an operator checks after maintenance: the instance
/// runs and is Ready (the VMI's readinessProbe becomes the virt-launcher pod's probe, and the VMI's Ready condition
/// follows the pod's readiness: kubevirt/kubevirt docs/probes.md), the guest agent is connected, the guest has an
/// address, every claim is Bound, every DataVolume Succeeded and every volume attached.
/// </summary>
public static class HealthRules
{
    /// <summary>The checks for one VM, in a stable order. Skipped names are reported as Skip.</summary>
    public static List<VMHealthCheck> Evaluate(HealthInputs inputs, IReadOnlyCollection<string> skip)
    {
        List<VMHealthCheck> checks = new();
        JsonElement? vmi = inputs.Vmi;
        string? phase = vmi?.Child("status").String("phase");
        bool running = phase == "Running";
        string vmStatus = inputs.Vm.Child("status").String("printableStatus") ?? "Stopped";

        checks.Add(running
            ? Pass(HealthCheckNames.Running, "The instance is Running.")
            : Fail(HealthCheckNames.Running, vmi is null
                ? $"The VM has no running instance (it is {vmStatus})."
                : $"The instance is {(string.IsNullOrEmpty(phase) ? "Pending" : phase)}, not Running."));

        JsonElement status = vmi?.Child("status") ?? default;
        if (!running)
        {
            const string notRunning = "The VM is not running.";
            checks.Add(Skip(HealthCheckNames.Ready, notRunning));
            checks.Add(Skip(HealthCheckNames.AgentConnected, notRunning));
            checks.Add(Skip(HealthCheckNames.GuestAddress, notRunning));
        }
        else
        {
            checks.Add(ReadyCheck(status));
            checks.Add(status.Condition("AgentConnected") is { } agent && agent.String("status") == "True"
                ? Pass(HealthCheckNames.AgentConnected, "The QEMU guest agent is connected.")
                : Fail(HealthCheckNames.AgentConnected, "No QEMU guest agent is connected (the guest may still be booting, or the agent is not running)."));
            checks.Add(AddressCheck(status));
        }

        checks.AddRange(ClaimChecks(inputs));
        checks.AddRange(DataVolumeChecks(inputs));
        if (running)
        {
            checks.AddRange(AttachedChecks(vmi!.Value));
        }

        return checks.Select(c => skip.Contains(c.Name, StringComparer.OrdinalIgnoreCase)
            ? new VMHealthCheck { Name = c.Name, Target = c.Target, Status = HealthCheckStatus.Skip, Message = "Left out (-SkipCheck)." }
            : c).ToList();
    }

    /// <summary>The guest's first reported IP address, for probes from outside; null when none is reported.</summary>
    public static string? FirstGuestAddress(JsonElement? vmi) =>
        vmi?.Child("status").Child("interfaces").EnumerateArraySafe()
            .Select(i => i.String("ipAddress"))
            .FirstOrDefault(a => !string.IsNullOrEmpty(a));

    private static VMHealthCheck ReadyCheck(JsonElement status)
    {
        if (status.Condition("Ready") is { } ready && ready.String("status") == "True")
        {
            return Pass(HealthCheckNames.Ready, "The instance is Ready (its readiness probe passes).");
        }

        string why = status.Condition("Ready") is { } notReady
            ? string.Join(": ", new[] { notReady.String("reason"), notReady.String("message") }.Where(s => !string.IsNullOrEmpty(s)))
            : "no Ready condition";
        return Fail(HealthCheckNames.Ready, $"The instance is not Ready ({(why.Length == 0 ? "no reason given" : why)}).");
    }

    private static VMHealthCheck AddressCheck(JsonElement status)
    {
        string[] addresses = status.Child("interfaces").EnumerateArraySafe()
            .Where(i => !string.IsNullOrEmpty(i.String("ipAddress")))
            .Select(i => $"{i.String("ipAddress")} ({i.String("interfaceName") ?? i.String("name")})")
            .ToArray();
        return addresses.Length > 0
            ? Pass(HealthCheckNames.GuestAddress, string.Join(", ", addresses))
            : Fail(HealthCheckNames.GuestAddress, "The guest reports no IP address (network not up, or no guest agent to report it).");
    }

    private static IEnumerable<VMHealthCheck> ClaimChecks(HealthInputs inputs)
    {
        foreach ((string claim, JsonElement? pvc) in inputs.Claims)
        {
            string? phase = pvc?.Child("status").String("phase");
            yield return pvc is null
                ? Fail(HealthCheckNames.ClaimBound, $"Claim '{claim}' does not exist.", claim)
                : phase == "Bound"
                    ? Pass(HealthCheckNames.ClaimBound, $"Claim '{claim}' is Bound.", claim)
                    : Fail(HealthCheckNames.ClaimBound, $"Claim '{claim}' is {phase ?? "Pending"}, not Bound.", claim);
        }
    }

    private static IEnumerable<VMHealthCheck> DataVolumeChecks(HealthInputs inputs)
    {
        foreach ((string name, JsonElement? dv) in inputs.DataVolumes)
        {
            string? phase = dv?.Child("status").String("phase");
            string? progress = dv?.Child("status").String("progress");
            yield return dv is null
                ? Fail(HealthCheckNames.DataVolume, $"DataVolume '{name}' does not exist.", name)
                : phase == "Succeeded"
                    ? Pass(HealthCheckNames.DataVolume, $"DataVolume '{name}' Succeeded.", name)
                    : Fail(HealthCheckNames.DataVolume,
                        $"DataVolume '{name}' is {phase ?? "Pending"}{(string.IsNullOrEmpty(progress) || progress == "N/A" ? string.Empty : $" ({progress})")}, not Succeeded.", name);
        }
    }

    /// <summary>
    /// Every volume of the instance has a volumeStatus entry with a target (virt-handler writes the target once the
    /// disk is in the domain); a hot-plugged one must also be in phase Ready (the VolumeStatus phases of
    /// staging/src/kubevirt.io/api/core/v1/types.go).
    /// </summary>
    private static IEnumerable<VMHealthCheck> AttachedChecks(JsonElement vmi)
    {
        Dictionary<string, JsonElement> statuses = vmi.Child("status").Child("volumeStatus").EnumerateArraySafe()
            .Where(s => s.String("name") is not null)
            .GroupBy(s => s.String("name")!)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (JsonElement volume in vmi.Child("spec").Child("volumes").EnumerateArraySafe())
        {
            string name = volume.String("name") ?? string.Empty;
            if (!statuses.TryGetValue(name, out JsonElement state) || string.IsNullOrEmpty(state.String("target")))
            {
                yield return Fail(HealthCheckNames.VolumeAttached, $"Volume '{name}' is not attached to the guest.", name);
                continue;
            }

            bool hotplug = state.Child("hotplugVolume").ValueKind == JsonValueKind.Object;
            string? phase = state.String("phase");
            yield return hotplug && phase != "Ready"
                ? Fail(HealthCheckNames.VolumeAttached, $"Hot-plugged volume '{name}' is {phase ?? "Pending"}, not Ready{Reason(state)}.", name)
                : Pass(HealthCheckNames.VolumeAttached, $"Volume '{name}' is attached as {state.String("target")}.", name);
        }
    }

    private static string Reason(JsonElement state) =>
        state.String("message") is { Length: > 0 } message ? $": {message}" : string.Empty;

    private static VMHealthCheck Pass(string name, string message, string? target = null) =>
        new() { Name = name, Target = target, Status = HealthCheckStatus.Pass, Message = message };

    private static VMHealthCheck Fail(string name, string message, string? target = null) =>
        new() { Name = name, Target = target, Status = HealthCheckStatus.Fail, Message = message };

    private static VMHealthCheck Skip(string name, string message) =>
        new() { Name = name, Status = HealthCheckStatus.Skip, Message = message };
}

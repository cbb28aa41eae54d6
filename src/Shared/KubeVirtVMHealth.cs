namespace VmSnapshot;

/// <summary>
/// Test-VMHealth's answer for one VM: healthy or not, by the checks an operator makes after maintenance. VMName and
/// Namespace match the other cmdlets' parameters, so the object pipes on.
/// </summary>
public sealed class KubeVirtVMHealth
{
    /// <summary>The VM's name.</summary>
    public string VMName { get; set; } = string.Empty;

    /// <summary>The VM's namespace.</summary>
    public string Namespace { get; set; } = string.Empty;

    /// <summary>True when no check failed (skipped checks do not count).</summary>
    public bool Healthy => Checks.All(c => c.Status != HealthCheckStatus.Fail);

    /// <summary>The first failed check's message, or how many checks passed.</summary>
    public string Summary => Checks.FirstOrDefault(c => c.Status == HealthCheckStatus.Fail) is { } failed
        ? failed.Label + ": " + failed.Message
        : Checks.Count(c => c.Status == HealthCheckStatus.Pass) is var passed && passed == 1 ? "1 check passed" : $"{passed} checks passed";

    /// <summary>Every check made, in a stable order.</summary>
    public ValueList<VMHealthCheck> Checks { get; set; } = ValueList<VMHealthCheck>.Empty;

    /// <summary>How many checks failed.</summary>
    public int FailCount => Checks.Count(c => c.Status == HealthCheckStatus.Fail);

    /// <summary>When the checks were made (local time).</summary>
    public DateTime CheckedAt { get; set; }

    /// <summary>With -Wait: how many samples were taken before this answer.</summary>
    public int Samples { get; set; } = 1;

    /// <summary>The kubeconfig context (or server) the VM was read from.</summary>
    public string? Context { get; set; }

    /// <inheritdoc/>
    public override string ToString() => $"{Namespace}/{VMName}: {(Healthy ? "Healthy" : "Unhealthy")}";
}

/// <summary>One named health check with what it found.</summary>
public sealed class VMHealthCheck
{
    /// <summary>A stable check name: Running, Ready, AgentConnected, GuestAddress, ClaimBound, DataVolume, VolumeAttached, TcpPort, Http, Script, Stable (-Wait).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>What the check looked at when there are several of one kind (a volume, a port).</summary>
    public string? Target { get; set; }

    /// <summary>Pass, Fail, or Skip (not applicable now, or left out with -SkipCheck).</summary>
    public HealthCheckStatus Status { get; set; }

    /// <summary>What was found and, unless it passed, what it means.</summary>
    public string Message { get; set; } = string.Empty;

    /// <summary>The check's name, with its target when it has one: "VolumeAttached (rootdisk)".</summary>
    internal string Label => Target is null ? Name : $"{Name} ({Target})";

    /// <inheritdoc/>
    public override string ToString() => Target is null ? $"{Name}: {Status}" : $"{Name} ({Target}): {Status}";
}

/// <summary>The result of one health check.</summary>
public enum HealthCheckStatus
{
    /// <summary>Checked and fine.</summary>
    Pass,

    /// <summary>Checked and not fine: the VM is not healthy.</summary>
    Fail,

    /// <summary>Not checked: it does not apply now, or it was left out.</summary>
    Skip,
}

namespace VmSnapshot.Core.Health;

/// <summary>The stable names of the health checks (what -SkipCheck takes and scripts filter on).</summary>
public static class HealthCheckNames
{
    /// <summary>The VM has a running instance (VMI phase Running).</summary>
    public const string Running = "Running";

    /// <summary>The instance's Ready condition, which reflects the VM's readinessProbe (guest agent ping, exec, HTTP, TCP).</summary>
    public const string Ready = "Ready";

    /// <summary>The QEMU guest agent is connected (AgentConnected condition).</summary>
    public const string AgentConnected = "AgentConnected";

    /// <summary>The guest reports an IP address on some interface.</summary>
    public const string GuestAddress = "GuestAddress";

    /// <summary>A claim of the VM is Bound.</summary>
    public const string ClaimBound = "ClaimBound";

    /// <summary>A DataVolume of the VM has Succeeded.</summary>
    public const string DataVolume = "DataVolume";

    /// <summary>A volume of the running instance is attached.</summary>
    public const string VolumeAttached = "VolumeAttached";

    /// <summary>A TCP port answers, from where the check runs.</summary>
    public const string TcpPort = "TcpPort";

    /// <summary>An HTTP endpoint answers with the expected status, from where the check runs.</summary>
    public const string Http = "Http";

    /// <summary>The user's own check (a script block).</summary>
    public const string Script = "Script";

    /// <summary>
    /// With -Wait, on a wait that ran out while the VM was healthy but for fewer looks in a row than needed: without it
    /// the last look alone read Healthy, and `Test-VMHealth -Wait -Quiet` said $true of a VM that had not settled.
    /// </summary>
    public const string Stable = "Stable";

    /// <summary>The checks read from the cluster, which -SkipCheck may leave out.</summary>
    public static IReadOnlyList<string> ClusterChecks { get; } =
        [Running, Ready, AgentConnected, GuestAddress, ClaimBound, DataVolume, VolumeAttached];
}

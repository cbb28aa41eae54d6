namespace VmSnapshot.Core.Health;

/// <summary>Which checks to make for a VM beyond the cluster's own, and which to leave out.</summary>
/// <param name="Skip">Check names to leave out (see <see cref="HealthCheckNames.ClusterChecks"/>).</param>
/// <param name="TcpPorts">Ports that must accept a TCP connection.</param>
/// <param name="TcpHost">Where to connect for <paramref name="TcpPorts"/>; null: the guest's first reported IP address.</param>
/// <param name="HttpUri">An HTTP(S) endpoint that must answer with <paramref name="ExpectedStatus"/>.</param>
/// <param name="ExpectedStatus">The HTTP status the endpoint must answer with.</param>
/// <param name="ProbeTimeout">How long one TCP or HTTP probe may take.</param>
public sealed record HealthOptions(
    IReadOnlyCollection<string> Skip,
    IReadOnlyList<int> TcpPorts,
    string? TcpHost,
    Uri? HttpUri,
    int ExpectedStatus,
    TimeSpan ProbeTimeout)
{
    /// <summary>The cluster checks only, with the default probe settings.</summary>
    public static HealthOptions Default { get; } = new(Array.Empty<string>(), Array.Empty<int>(), null, null, 200, TimeSpan.FromSeconds(5));
}

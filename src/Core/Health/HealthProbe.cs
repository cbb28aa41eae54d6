using VmSnapshot.Core.Connection;

namespace VmSnapshot.Core.Health;

/// <summary>One look at one VM: the cluster's checks, then the probes from here.</summary>
public static class HealthProbe
{
    /// <summary>
    /// Checks <paramref name="vmName"/> once; null when the VM does not exist. The user's own check, when given,
    /// runs last and sees the checks made so far.
    /// </summary>
    public static async Task<KubeVirtVMHealth?> CheckAsync(KubeVirtConnection connection, string @namespace, string vmName,
        HealthOptions options, Func<KubeVirtVMHealth, CancellationToken, Task<VMHealthCheck>>? userCheck,
        CancellationToken cancelToken)
    {
        HealthInputs? inputs = await HealthReader.ReadAsync(connection, @namespace, vmName, cancelToken).ConfigureAwait(false);
        if (inputs is null)
        {
            return null;
        }

        List<VMHealthCheck> checks = HealthRules.Evaluate(inputs, options.Skip);
        string? host = options.TcpHost ?? HealthRules.FirstGuestAddress(inputs.Vmi);
        foreach (int port in options.TcpPorts)
        {
            checks.Add(await NetworkProbes.TcpAsync(host, port, options.ProbeTimeout, cancelToken).ConfigureAwait(false));
        }

        if (options.HttpUri is { } uri)
        {
            checks.Add(await NetworkProbes.HttpAsync(uri, options.ExpectedStatus, options.ProbeTimeout, cancelToken).ConfigureAwait(false));
        }

        KubeVirtVMHealth health = new()
        {
            VMName = vmName,
            Namespace = @namespace,
            Checks = checks.ToArray(),
            CheckedAt = DateTime.Now,
            Context = connection.Origin,
        };
        if (userCheck is not null)
        {
            VMHealthCheck own = await userCheck(health, cancelToken).ConfigureAwait(false);
            health.Checks = [.. checks, own];
        }

        return health;
    }
}


namespace VmSnapshot.Core.Health;

/// <summary>How long and how strictly to wait for a VM to be healthy.</summary>
/// <param name="Timeout">Give up after this long (grace period included).</param>
/// <param name="ConsecutivePasses">Healthy this many looks in a row (a guest that flaps during boot is not healthy).</param>
/// <param name="GracePeriod">Look for the first time only after this long (a guest that is about to reboot still answers).</param>
/// <param name="Interval">Time between looks.</param>
public sealed record HealthGatePolicy(TimeSpan Timeout, int ConsecutivePasses, TimeSpan GracePeriod, TimeSpan Interval)
{
    /// <summary>Five minutes, three passes in a row, no grace, a look every five seconds.</summary>
    public static HealthGatePolicy Default { get; } = new(TimeSpan.FromMinutes(5), 3, TimeSpan.Zero, TimeSpan.FromSeconds(5));
}

/// <summary>The end of a health wait: passed or not, the last look, and every look taken.</summary>
public sealed record HealthGateResult(bool Passed, KubeVirtVMHealth Last, IReadOnlyList<KubeVirtVMHealth> Samples, TimeSpan Took)
{
    /// <summary>How many of the last looks in a row were healthy.</summary>
    public int HealthyInARow => Samples.Reverse().TakeWhile(s => s.Healthy).Count();

    /// <summary>
    /// Why a wait did not pass, in one sentence without a final full stop: a VM healthy at the last look but not
    /// long enough says so ("healthy only 2 looks in a row of the 3 needed"), rather than "not healthy: 8 checks passed".
    /// </summary>
    public string DescribeFailure(HealthGatePolicy policy)
    {
        int inARow = HealthyInARow;
        string how = inARow > 0
            ? $"Healthy only {inARow} {(inARow == 1 ? "look" : "looks")} in a row of the {policy.ConsecutivePasses} needed"
            : $"Not healthy {policy.ConsecutivePasses} {(policy.ConsecutivePasses == 1 ? "look" : "looks")} in a row";
        return $"{how} within {policy.Timeout} ({Samples.Count} looks); the last look: {Last.Summary.TrimEnd('.')}";
    }
}

/// <summary>Waits until a VM is healthy several looks in a row, or the time is up.</summary>
public static class HealthGate
{
    /// <summary>
    /// Looks with <paramref name="look"/> every <see cref="HealthGatePolicy.Interval"/> after the grace period until
    /// <see cref="HealthGatePolicy.ConsecutivePasses"/> looks in a row are healthy (passed) or the timeout is reached
    /// (not passed; the last look, taken at the timeout, says why). A look that returns null (the VM is gone) ends the
    /// wait at once.
    /// </summary>
    public static async Task<HealthGateResult?> WaitAsync(Func<CancellationToken, Task<KubeVirtVMHealth?>> look,
        HealthGatePolicy policy, Action<KubeVirtVMHealth>? onLook, TimeProvider? time, CancellationToken cancelToken)
    {
        time ??= TimeProvider.System;
        long started = time.GetTimestamp();
        if (policy.GracePeriod > TimeSpan.Zero)
        {
            await Task.Delay(policy.GracePeriod, time, cancelToken).ConfigureAwait(false);
        }

        List<KubeVirtVMHealth> samples = new();
        int inARow = 0;
        bool lastLook = false;
        while (true)
        {
            KubeVirtVMHealth? health = await look(cancelToken).ConfigureAwait(false);
            if (health is null)
            {
                return samples.Count == 0 ? null : new HealthGateResult(false, samples[^1], samples, time.GetElapsedTime(started));
            }

            samples.Add(health);
            health.Samples = samples.Count;
            onLook?.Invoke(health);
            inARow = health.Healthy ? inARow + 1 : 0;
            TimeSpan elapsed = time.GetElapsedTime(started);
            if (inARow >= Math.Max(1, policy.ConsecutivePasses))
            {
                return new HealthGateResult(true, health, samples, elapsed);
            }

            if (lastLook || elapsed >= policy.Timeout)
            {
                return new HealthGateResult(false, health, samples, elapsed);
            }

            // The last look comes at the timeout, not an interval before it: -Timeout 10s with looks every 5 s looks
            // at 0, 5 and 10 s, where stopping when the next look would be late gave up after 5 s. It is the last even
            // when the timer fires a moment early.
            TimeSpan remaining = policy.Timeout - elapsed;
            lastLook = remaining <= policy.Interval;
            await Task.Delay(lastLook ? remaining : policy.Interval, time, cancelToken).ConfigureAwait(false);
        }
    }
}

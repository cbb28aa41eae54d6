
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

    /// <summary>
    /// The most looks a wait can take: one after the grace period, one every interval while time is left, and the last
    /// at the timeout (<see cref="HealthGate.WaitAsync"/>). Fewer when looks are slow; never more.
    /// </summary>
    public int MaxLooks => Timeout <= GracePeriod ? 0
        : Interval <= TimeSpan.Zero ? int.MaxValue
        : (int)Math.Min(int.MaxValue - 1, Math.Ceiling((Timeout - GracePeriod) / Interval)) + 1;
}

/// <summary>The end of a health wait: passed or not, the last look, and every look taken.</summary>
public sealed record HealthGateResult(bool Passed, KubeVirtVMHealth Last, IReadOnlyList<KubeVirtVMHealth> Samples, TimeSpan Took)
{
    /// <summary>How many of the last looks in a row were healthy.</summary>
    public int HealthyInARow => Samples.Reverse().TakeWhile(s => s.Healthy).Count();

    /// <summary>The most looks in a row that were healthy, anywhere in the wait.</summary>
    public int LongestHealthyRun => Samples.Aggregate((Run: 0, Longest: 0), (acc, s) =>
        s.Healthy ? (acc.Run + 1, Math.Max(acc.Longest, acc.Run + 1)) : (0, acc.Longest)).Longest;

    /// <summary>
    /// Why a wait did not pass, in one sentence without a final full stop. It tells a VM that was never healthy from
    /// one healthy at the end but not long enough ("healthy only 2 looks in a row of the 3 needed"), where one
    /// wording ("not healthy: 8 checks passed") read as a contradiction.
    /// </summary>
    public string DescribeFailure(HealthGatePolicy policy)
    {
        int inARow = HealthyInARow;
        int longest = LongestHealthyRun;
        string needed = $"of the {policy.ConsecutivePasses} needed";
        string how = inARow > 0 ? $"Healthy only {Looks(inARow)} in a row {needed}"
            : longest > 0 ? $"Not healthy at the last look (at most {Looks(longest)} in a row {needed})"
            : Samples.Count == 1 ? "Not healthy at its only look"
            : $"Not healthy at any of {Looks(Samples.Count)}";
        string counted = inARow > 0 || longest > 0 ? $" ({Looks(Samples.Count)})" : string.Empty;
        return $"{how} within {policy.Timeout}{counted}; the last look: {Last.Summary.TrimEnd('.')}";
    }

    /// <summary>
    /// What the wait answers: the last look, unless it was healthy but the wait did not pass. Then it is that look
    /// with a failed Stable check, so Healthy (and -Quiet) say false, as the wait's outcome does.
    /// </summary>
    public KubeVirtVMHealth Verdict(HealthGatePolicy policy) => Passed || !Last.Healthy ? Last : new KubeVirtVMHealth
    {
        VMName = Last.VMName,
        Namespace = Last.Namespace,
        CheckedAt = Last.CheckedAt,
        Samples = Last.Samples,
        Context = Last.Context,
        Checks = [.. Last.Checks, new VMHealthCheck
        {
            Name = HealthCheckNames.Stable,
            Status = HealthCheckStatus.Fail,
            Message = $"Healthy only {Looks(HealthyInARow)} in a row of the {policy.ConsecutivePasses} needed " +
                $"(-ConsecutivePasses) when -Timeout {policy.Timeout} ran out.",
        }],
    };

    private static string Looks(int count) => count == 1 ? "1 look" : $"{count} looks";
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

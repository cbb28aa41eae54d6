using System.Diagnostics;

namespace VmSnapshot.Lab.Time;

/// <summary>
/// The lab's clock: lab time runs <see cref="Speed"/> times faster than wall time, starting at the wall time the
/// lab started. Every duration the emulated controllers wait for (failureDeadline, grace periods, CSI cut and
/// ready delays, guest-agent freeze latency, auto-thaw, VM start and stop) is measured on it, so the demo runs at
/// realistic pace (speed 1) and tests run the same state machines near-instantly (speed 100 or more).
/// Timestamps written into objects stay wall-clock (RFC 3339, like creationTimestamp), so they sort consistently.
/// </summary>
public sealed class LabClock
{
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private readonly DateTime _origin = DateTime.UtcNow;

    public LabClock(double speed)
    {
        if (double.IsNaN(speed) || speed <= 0) throw new ArgumentOutOfRangeException(nameof(speed), speed, "The lab clock speed must be greater than 0.");
        Speed = speed;
    }

    /// <summary>How many lab seconds pass per wall second.</summary>
    public double Speed { get; }

    /// <summary>The current lab time (UTC).</summary>
    public DateTime Now => _origin + TimeSpan.FromTicks((long)(_elapsed.Elapsed.Ticks * Speed));

    /// <summary>The wall time a lab duration takes.</summary>
    public TimeSpan ToWall(TimeSpan lab) => lab <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromTicks((long)(lab.Ticks / Speed));

    /// <summary>Waits for a lab duration.</summary>
    public Task Delay(TimeSpan lab, CancellationToken ct) => Task.Delay(ToWall(lab), ct);
}

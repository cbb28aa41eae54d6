namespace VmSnapshot;

/// <summary>One named check of Test-GuestQuiesce, with what it found and what to do about it.</summary>
public sealed class QuiesceCheck
{
    /// <summary>The VM the check is about.</summary>
    public string VMName { get; set; } = string.Empty;

    /// <summary>A stable check name (VMState, AgentConnected, FreezeCommands, Volume, SnapshotFeatureGate, ...).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>What the check looked at when there are several of one kind, e.g. the volume's name.</summary>
    public string? Target { get; set; }

    /// <summary>Pass, Warn, Fail, or Manual when it cannot be checked through the API.</summary>
    public CheckStatus Status { get; set; }

    /// <summary>What was found and, unless it passed, what to do next.</summary>
    public string Message { get; set; } = string.Empty;

    /// <inheritdoc/>
    public override string ToString() => Target is null ? $"{Name}: {Status}" : $"{Name} ({Target}): {Status}";
}

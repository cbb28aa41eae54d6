namespace VmSnapshot;

/// <summary>
/// Test-GuestQuiesce's answer for one VM: the verdict, the checks behind it and the facts they were made from.
/// VMName and Namespace match the snapshot cmdlets' parameters, so the object pipes into New-VMSnapshot.
/// </summary>
public sealed class QuiesceReadiness
{
    /// <summary>The VM's name.</summary>
    public string VMName { get; set; } = string.Empty;

    /// <summary>The VM's namespace.</summary>
    public string Namespace { get; set; } = string.Empty;

    /// <summary>What a snapshot taken now would be worth.</summary>
    public QuiesceVerdict Verdict { get; set; }

    /// <summary>
    /// True for <see cref="QuiesceVerdict.ApplicationConsistent"/>: what -Quiet returns. Never true for a VM with a
    /// disk a snapshot would miss, unless -AllowPartial was given.
    /// </summary>
    public bool IsApplicationConsistent => Verdict == QuiesceVerdict.ApplicationConsistent;

    /// <summary>The most important finding in one line: why the verdict is what it is, or the worst risk.</summary>
    public string Summary { get; set; } = string.Empty;

    /// <summary>Every check made, in a stable order.</summary>
    public ValueList<QuiesceCheck> Checks { get; set; } = ValueList<QuiesceCheck>.Empty;

    /// <summary>How many checks failed.</summary>
    public int FailCount => Checks.Count(c => c.Status == CheckStatus.Fail);

    /// <summary>How many checks warn.</summary>
    public int WarnCount => Checks.Count(c => c.Status == CheckStatus.Warn);

    /// <summary>How many checks must be made by hand (in the guest).</summary>
    public int ManualCount => Checks.Count(c => c.Status == CheckStatus.Manual);

    /// <summary>Running, Paused, Stopped, or the transitional status the VM is in.</summary>
    public string State { get; set; } = string.Empty;

    /// <summary>True when every sample of the VMI's AgentConnected condition found it present.</summary>
    public bool AgentConnected { get; set; }

    /// <summary>qemu-ga's version from guestosinfo, when it could be read.</summary>
    public string? AgentVersion { get; set; }

    /// <summary>The guest OS id from the agent (rhel, fedora, mswindows, ...).</summary>
    public string? GuestOS { get; set; }

    /// <summary>True when the agent reports Windows (os.id mswindows), so the freeze is a VSS snapshot.</summary>
    public bool IsWindows { get; set; }

    /// <summary>True when guest-fsfreeze-freeze, -thaw and -status are all present and enabled; null when unknown.</summary>
    public bool? FreezeCommandsEnabled { get; set; }

    /// <summary>Volumes whose data a snapshot would not contain.</summary>
    public ValueList<string> NotCapturedVolumes { get; set; } = ValueList<string>.Empty;

    /// <summary>
    /// What a snapshot taken now would hold: AllDisks, Partial (a disk's data would be missing), ConfigOnly, or
    /// Unknown when the cluster has not reported every volume.
    /// </summary>
    public SnapshotCoverage Coverage { get; set; }

    /// <summary>With -Trial: how long the guest took to freeze (hooks, VSS writers), when the freeze worked.</summary>
    public TimeSpan? TrialFreezeDuration { get; set; }

    /// <summary>When the checks were made (local time).</summary>
    public DateTime CheckedAt { get; set; }

    /// <summary>The kubeconfig context (or server) the VM was read from.</summary>
    public string? Context { get; set; }

    /// <inheritdoc/>
    public override string ToString() => $"{Namespace}/{VMName}: {Verdict}";
}

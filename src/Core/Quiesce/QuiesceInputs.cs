using System.Text.Json;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Quiesce;

/// <summary>
/// Everything Test-GuestQuiesce judges one VM by, already fetched. Keeping the fetching apart from the judging makes
/// the verdict rules testable from plain JSON.
/// </summary>
public sealed record QuiesceInputs
{
    /// <summary>The VirtualMachine.</summary>
    public required JsonElement Vm { get; init; }

    /// <summary>The VirtualMachineInstance at the first sample, or null when there is none (stopped VM).</summary>
    public JsonElement? Vmi { get; init; }

    /// <summary>
    /// Whether the VMI's AgentConnected condition was present, per sample, oldest first. virt-handler removes the
    /// condition while the channel is down, and agents flap, so one reading is not enough.
    /// </summary>
    public IReadOnlyList<bool> AgentSamples { get; init; } = Array.Empty<bool>();

    /// <summary>How far apart the first and last sample were.</summary>
    public TimeSpan SampleSpan { get; init; }

    /// <summary>The guestosinfo answer, or null when it was not asked for (VM not running, agent never seen).</summary>
    public GuestInfoAnswer? GuestInfo { get; init; }

    /// <summary>The Snapshot feature gate, as far as the KubeVirt CR could be read.</summary>
    public FeatureGateAnswer FeatureGate { get; init; } = FeatureGateAnswer.Unknown("The KubeVirt CR was not read.");

    /// <summary>May the caller create VirtualMachineSnapshots in the VM's namespace?</summary>
    public AccessAnswer CanCreateSnapshot { get; init; } = AccessAnswer.Unknown("not asked");

    /// <summary>May the caller freeze the VM's instance (only -Trial needs this)?</summary>
    public AccessAnswer CanFreeze { get; init; } = AccessAnswer.Unknown("not asked");

    /// <summary>The VM's newest snapshot in any phase, or null when it has none.</summary>
    public KubeVirtVMSnapshot? LatestSnapshot { get; init; }

    /// <summary>Why the VM's snapshots could not be listed, when they could not.</summary>
    public string? SnapshotsUnreadable { get; init; }

    /// <summary>The outcome of -Trial, when one was run or skipped.</summary>
    public TrialOutcome? Trial { get; init; }

    /// <summary>When the facts were read (UTC), to judge how long ago the guest booted.</summary>
    public DateTime Now { get; init; } = DateTime.UtcNow;

    /// <summary>The VM's name.</summary>
    public string Name => Vm.Child("metadata").String("name") ?? string.Empty;

    /// <summary>The VM's namespace.</summary>
    public string Namespace => Vm.Child("metadata").String("namespace") ?? string.Empty;
}

/// <summary>The guestosinfo subresource's answer: the agent info, or why there is none.</summary>
/// <param name="Info">VirtualMachineInstanceGuestAgentInfo, when the call worked.</param>
/// <param name="Error">The server's text otherwise (often a plain-text 500 from virt-api).</param>
/// <param name="Forbidden">True when the caller may not read it, so nothing can be concluded about the guest.</param>
public sealed record GuestInfoAnswer(JsonElement? Info, string? Error, bool Forbidden = false)
{
    public static GuestInfoAnswer Of(JsonElement info) => new(info, null);

    public static GuestInfoAnswer Failed(string error, bool forbidden = false) => new(null, error, forbidden);
}

/// <summary>Whether KubeVirt's Snapshot feature gate is on.</summary>
public enum FeatureGateState
{
    /// <summary>On: listed in featureGates, or Beta-on-by-default (v1.9+) and not disabled.</summary>
    Enabled,

    /// <summary>Off: listed in disabledFeatureGates, or not listed on a KubeVirt older than v1.9.</summary>
    Disabled,

    /// <summary>The KubeVirt CR could not be read or does not say.</summary>
    Unknown,
}

/// <summary>The feature gate's state and how it was decided.</summary>
public sealed record FeatureGateAnswer(FeatureGateState State, string Detail)
{
    public static FeatureGateAnswer Unknown(string detail) => new(FeatureGateState.Unknown, detail);
}

/// <summary>A SelfSubjectAccessReview's answer; Allowed is null when the review itself failed.</summary>
public sealed record AccessAnswer(bool? Allowed, string Detail)
{
    public static AccessAnswer Unknown(string detail) => new(null, detail);
}

/// <summary>What -Trial found: a real freeze and thaw through the subresources, or why it was not tried.</summary>
public sealed record TrialOutcome
{
    /// <summary>Why the trial was not run (VM not running, no agent, no permission), or null when it ran.</summary>
    public string? SkipReason { get; init; }

    /// <summary>How long the freeze call took, when it worked.</summary>
    public TimeSpan? FreezeDuration { get; init; }

    /// <summary>The freeze error, verbatim, when it failed.</summary>
    public string? FreezeError { get; init; }

    /// <summary>The thaw error, verbatim, when the thaw of a frozen guest failed.</summary>
    public string? ThawError { get; init; }

    /// <summary>True when the VMI still reported fsFreezeStatus "frozen" after every thaw attempt; null when unread.</summary>
    public bool? StillFrozen { get; init; }

    /// <summary>How long the guest was held frozen on purpose (-TrialHold).</summary>
    public TimeSpan Held { get; init; }

    /// <summary>The unfreezeTimeout sent with the freeze: when the cluster thaws on its own.</summary>
    public TimeSpan UnfreezeTimeout { get; init; }

    public static TrialOutcome Skipped(string reason) => new() { SkipReason = reason };

    /// <summary>True when the guest froze and thawed cleanly.</summary>
    public bool Succeeded => SkipReason is null && FreezeError is null && ThawError is null && StillFrozen != true;
}

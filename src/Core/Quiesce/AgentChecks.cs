using System.Text.Json;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Quiesce;

/// <summary>
/// The guest agent as KubeVirt sees it (AgentConnected sampled several times, AgentVersionNotSupported) and as it
/// describes itself (guestosinfo: version, OS, the fsfreeze commands), plus how long ago the guest booted.
/// </summary>
internal static class AgentChecks
{
    /// <summary>Windows' VSS and the agent are often not ready in the first minutes after boot.</summary>
    public static readonly TimeSpan BootSettleTime = TimeSpan.FromMinutes(5);

    public static void Add(CheckList checks, QuiesceInputs inputs)
    {
        AddConnected(checks, inputs);
        if (!inputs.AgentSamples.Any(s => s))
        {
            // Without an agent there is nothing more to ask it; AgentConnected already says what to do.
            return;
        }

        AddVersionSupported(checks, inputs);
        if (inputs.GuestInfo is not null)
        {
            // Only asked of a running, unpaused guest; a paused one's verdict does not depend on it.
            AddGuestInfo(checks, inputs);
            AddFreezeCommands(checks, inputs);
        }

        AddFreezeState(checks, inputs);
        AddBootTime(checks, inputs);
    }

    private static void AddConnected(CheckList checks, QuiesceInputs inputs)
    {
        int total = inputs.AgentSamples.Count;
        int connected = inputs.AgentSamples.Count(s => s);
        string over = total > 1 ? $" over {Durations.Describe(inputs.SampleSpan)}" : string.Empty;
        if (total > 0 && connected == total)
        {
            checks.Add(CheckNames.AgentConnected, CheckStatus.Pass,
                $"The QEMU guest agent is connected (AgentConnected in {connected} of {total} samples{over}).");
        }
        else if (connected == 0)
        {
            checks.Add(CheckNames.AgentConnected, CheckStatus.Fail,
                $"The QEMU guest agent is not connected ({total} samples{over}), so a snapshot cannot freeze the guest " +
                "and is crash-consistent (indication NoGuestAgent). Install and start qemu-guest-agent in the guest " +
                "(on Windows from the virtio-win guest tools, with its VSS provider).");
        }
        else
        {
            checks.Add(CheckNames.AgentConnected, CheckStatus.Warn,
                $"The guest agent flaps: AgentConnected was present in {connected} of {total} samples{over}. A snapshot " +
                "that starts while it is disconnected is crash-consistent. Check the agent's service and its log in the " +
                "guest (on Windows, 'Access is denied' opening \\\\.\\Global\\org.qemu.guest_agent.0 is a known cause).");
        }
    }

    private static void AddVersionSupported(CheckList checks, QuiesceInputs inputs)
    {
        JsonElement? unsupported = inputs.Vmi?.Child("status").Condition("AgentVersionNotSupported");
        if (unsupported is { } condition && condition.String("status") == "True")
        {
            string why = condition.String("reason") ?? condition.String("message") ?? "no reason given";
            checks.Add(CheckNames.AgentVersion, CheckStatus.Warn,
                $"KubeVirt marks the guest agent unsupported (AgentVersionNotSupported: {why}). Update " +
                "qemu-guest-agent in the guest.");
            return;
        }

        checks.Add(CheckNames.AgentVersion, CheckStatus.Pass,
            "KubeVirt accepts the agent version (no AgentVersionNotSupported). Its command list does not include " +
            "the fsfreeze commands; FreezeCommands checks those.");
    }

    private static void AddGuestInfo(CheckList checks, QuiesceInputs inputs)
    {
        GuestInfoAnswer answer = inputs.GuestInfo!;
        if (answer.Info is not null)
        {
            string os = GuestFacts.OsName(inputs) ?? "an unknown OS";
            string id = GuestFacts.OsId(inputs) is { } osId ? $" (os.id {osId})" : string.Empty;
            checks.Add(CheckNames.GuestAgentInfo, CheckStatus.Pass,
                $"qemu-ga {GuestFacts.AgentVersion(inputs) ?? "(version not reported)"} on {os}{id}.");
        }
        else if (answer.Forbidden)
        {
            checks.Add(CheckNames.GuestAgentInfo, CheckStatus.Manual,
                $"You may not read the guestosinfo subresource ({answer.Error}), so the agent version, OS and freeze " +
                "commands cannot be checked. Ask for 'get' on virtualmachineinstances/guestosinfo in " +
                "subresources.kubevirt.io (the kubevirt.io:view role has it), or run 'virtctl guestosinfo' as someone who may.");
        }
        else
        {
            checks.Add(CheckNames.GuestAgentInfo, CheckStatus.Warn,
                $"The guest agent did not answer guestosinfo: {answer.Error}. Its version, OS and " +
                "freeze commands are unknown; check that qemu-guest-agent runs in the guest.");
        }
    }

    private static void AddFreezeCommands(CheckList checks, QuiesceInputs inputs)
    {
        IReadOnlyList<string>? unusable = GuestFacts.UnusableFreezeCommands(inputs);
        if (unusable is null)
        {
            checks.Add(CheckNames.FreezeCommands, CheckStatus.Warn,
                "Whether guest-fsfreeze-freeze, -thaw and -status are enabled is unknown (no guestosinfo), so an " +
                "application-consistent snapshot cannot be promised.");
        }
        else if (unusable.Count == 0)
        {
            checks.Add(CheckNames.FreezeCommands, CheckStatus.Pass,
                "guest-fsfreeze-freeze, guest-fsfreeze-thaw and guest-fsfreeze-status are present and enabled.");
        }
        else
        {
            checks.Add(CheckNames.FreezeCommands, CheckStatus.Fail,
                $"The guest agent does not allow {string.Join(", ", unusable)}, so the freeze cannot work and snapshots " +
                "are crash-consistent. Remove them from qemu-ga's --block-rpcs (or add them to --allow-rpcs), e.g. " +
                "BLACKLIST_RPC / FILTER_RPC_ARGS in /etc/sysconfig/qemu-ga, and restart qemu-guest-agent.");
        }
    }

    private static void AddFreezeState(CheckList checks, QuiesceInputs inputs)
    {
        // Only worth a line when something looks frozen: fsFreezeStatus means "a freeze was requested", not proof.
        string? vmiStatus = inputs.Vmi?.Child("status").String("fsFreezeStatus");
        string? agentStatus = inputs.GuestInfo?.Info?.String("fsFreezeStatus");
        if (vmiStatus == "frozen" || agentStatus == "frozen")
        {
            checks.Add(CheckNames.FreezeState, CheckStatus.Warn,
                "The guest's file systems are reported frozen right now (a snapshot in progress, or a freeze left " +
                "behind). Writes in the guest wait until it thaws; KubeVirt thaws at the freeze's unfreezeTimeout. If no " +
                "snapshot is running, thaw it (PUT .../virtualmachineinstances/<name>/unfreeze).");
        }
    }

    private static void AddBootTime(CheckList checks, QuiesceInputs inputs)
    {
        if (inputs.Vmi is not { } vmi || GuestFacts.RunningSince(vmi) is not { } since)
        {
            return;
        }

        TimeSpan uptime = inputs.Now - since;
        bool windows = GuestFacts.IsWindows(inputs);
        if (uptime < BootSettleTime)
        {
            checks.Add(CheckNames.BootTime, CheckStatus.Warn,
                $"The guest started {Durations.Describe(uptime)} ago. In the first minutes after boot the agent" +
                (windows ? " and VSS are" : " is") + " often not ready, and a snapshot then is crash-consistent. " +
                $"Wait until it has run for {Durations.Describe(BootSettleTime)}.");
        }
        else
        {
            checks.Add(CheckNames.BootTime, CheckStatus.Pass,
                $"The guest has been running for {Durations.Describe(uptime)}, past the first minutes after boot.");
        }
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using VmSnapshot.Core.Quiesce;

namespace VmSnapshot.Tests.Core;

/// <summary>Builds VM, VMI and guestosinfo JSON shaped like KubeVirt's, for the quiesce rules' unit tests.</summary>
internal static class QuiesceFixtures
{
    public static readonly string[] AllCommands =
        { "guest-ping", "guest-info", "guest-fsfreeze-freeze", "guest-fsfreeze-thaw", "guest-fsfreeze-status" };

    public static JsonObject Vm(string name = "web01", string printable = "Running",
        params (string Name, string Source, bool? Enabled, string? Reason)[] volumes)
    {
        if (volumes.Length == 0)
        {
            volumes = new[] { ("rootdisk", "dataVolume", (bool?)true, (string?)null) };
        }

        JsonArray specVolumes = new();
        JsonArray statuses = new();
        foreach ((string volume, string source, bool? enabled, string? reason) in volumes)
        {
            specVolumes.Add(new JsonObject { ["name"] = volume, [source] = new JsonObject { ["claimName"] = volume } });
            if (enabled is { } e)
            {
                JsonObject status = new() { ["name"] = volume, ["enabled"] = e };
                if (reason is not null)
                {
                    status["reason"] = reason;
                }

                statuses.Add(status);
            }
        }

        return new JsonObject
        {
            ["apiVersion"] = "kubevirt.io/v1",
            ["kind"] = "VirtualMachine",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "vms" },
            ["spec"] = new JsonObject
            {
                ["runStrategy"] = printable == "Stopped" ? "Halted" : "Always",
                ["template"] = new JsonObject { ["spec"] = new JsonObject { ["volumes"] = specVolumes } },
            },
            ["status"] = new JsonObject { ["printableStatus"] = printable, ["volumeSnapshotStatuses"] = statuses },
        };
    }

    public static JsonObject Vmi(string name = "web01", string phase = "Running", bool agent = true, bool paused = false,
        DateTime? runningSince = null, string? osId = null)
    {
        JsonArray conditions = new() { new JsonObject { ["type"] = "Ready", ["status"] = "True" } };
        if (agent)
        {
            conditions.Add(new JsonObject { ["type"] = "AgentConnected", ["status"] = "True" });
        }

        if (paused)
        {
            conditions.Add(new JsonObject { ["type"] = "Paused", ["status"] = "True", ["reason"] = "PausedByUser" });
        }

        JsonObject status = new()
        {
            ["phase"] = phase,
            ["conditions"] = conditions,
            ["phaseTransitionTimestamps"] = new JsonArray(new JsonObject
            {
                ["phase"] = "Running",
                ["phaseTransitionTimestamp"] = (runningSince ?? DateTime.UtcNow.AddDays(-3)).ToString("yyyy-MM-ddTHH:mm:ssZ"),
            }),
        };
        if (osId is not null)
        {
            status["guestOSInfo"] = new JsonObject { ["id"] = osId };
        }

        return new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "vms", ["creationTimestamp"] = "2026-01-01T00:00:00Z" },
            ["spec"] = new JsonObject { ["volumes"] = new JsonArray() },
            ["status"] = status,
        };
    }

    public static JsonElement GuestInfo(string osId = "rhel", string version = "8.2.0", params string[] disabled)
    {
        JsonArray commands = new();
        foreach (string command in AllCommands)
        {
            commands.Add(new JsonObject { ["name"] = command, ["enabled"] = !disabled.Contains(command) });
        }

        return Element(new JsonObject
        {
            ["guestAgentVersion"] = version,
            ["supportedCommands"] = commands,
            ["os"] = new JsonObject { ["id"] = osId, ["prettyName"] = osId == "mswindows" ? "Windows Server 2019" : "Red Hat Enterprise Linux 9" },
            ["fsFreezeStatus"] = "thawed",
        });
    }

    public static JsonElement Element(JsonNode node) => JsonDocument.Parse(node.ToJsonString()).RootElement.Clone();

    /// <summary>A healthy running Linux VM that any test can spoil one fact of.</summary>
    public static QuiesceInputs Healthy(JsonObject? vm = null, JsonObject? vmi = null) => new()
    {
        Vm = Element(vm ?? Vm()),
        Vmi = Element(vmi ?? Vmi()),
        AgentSamples = new[] { true, true, true },
        SampleSpan = TimeSpan.FromSeconds(2),
        GuestInfo = GuestInfoAnswer.Of(GuestInfo()),
        FeatureGate = new FeatureGateAnswer(FeatureGateState.Enabled, "listed in featureGates"),
        CanCreateSnapshot = new AccessAnswer(true, "allowed"),
        CanFreeze = new AccessAnswer(true, "allowed"),
    };
}

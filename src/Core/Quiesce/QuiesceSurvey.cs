using System.Diagnostics;
using System.Text.Json;
using k8s;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;
using VmSnapshot.Core.Json;
using VmSnapshot.Core.Snapshots;

namespace VmSnapshot.Core.Quiesce;

/// <summary>
/// Fetches what <see cref="QuiesceEvaluator"/> judges, for many VMs at little cost: per namespace one list of VMs,
/// a few lists of instances (the AgentConnected samples), one list of snapshots and two access reviews; per running
/// VM one guestosinfo call; and the KubeVirt CR once per survey.
/// </summary>
public sealed class QuiesceSurvey
{
    /// <summary>How many times AgentConnected is read. More than once, because agents flap.</summary>
    public const int DefaultSamples = 3;

    private readonly KubeVirtConnection _connection;
    private readonly IKubernetes _client;
    private readonly Dictionary<string, (AccessAnswer Create, AccessAnswer Freeze)> _access = new(StringComparer.Ordinal);
    private FeatureGateAnswer? _featureGate;

    public QuiesceSurvey(KubeVirtConnection connection, int samples = DefaultSamples, TimeSpan? sampleInterval = null)
    {
        _connection = connection;
        _client = ConnectionFactory.ClientFor(connection).Client;
        Samples = Math.Max(1, samples);
        SampleInterval = sampleInterval ?? TimeSpan.FromSeconds(1);
    }

    public int Samples { get; }

    public TimeSpan SampleInterval { get; }

    /// <summary>The context (or server) the answers come from, for the result objects.</summary>
    public string Context => _connection.Origin;

    /// <summary>
    /// Reads the VMs of one namespace (all when null) that pass <paramref name="nameFilter"/>, with everything the
    /// checks need. VM and instance reads must work; what else cannot be read becomes a Manual or Warn check.
    /// </summary>
    public async Task<IReadOnlyList<QuiesceInputs>> ReadAsync(string? @namespace, Func<string, bool> nameFilter,
        CancellationToken cancelToken)
    {
        List<JsonElement> vms = new();
        await foreach (JsonElement vm in CustomResources.ListAsync(_client, ResourceType.VirtualMachine, @namespace, null,
                           null, SnapshotReader.DefaultPageSize, cancelToken).ConfigureAwait(false))
        {
            if (nameFilter(vm.Child("metadata").String("name") ?? string.Empty))
            {
                vms.Add(vm);
            }
        }

        if (vms.Count == 0)
        {
            return Array.Empty<QuiesceInputs>();
        }

        (List<Dictionary<string, JsonElement>> samples, TimeSpan span) = await SampleInstancesAsync(@namespace, cancelToken)
            .ConfigureAwait(false);
        (Dictionary<string, KubeVirtVMSnapshot> latest, string? snapshotsUnreadable) =
            await LatestSnapshotsAsync(@namespace, cancelToken).ConfigureAwait(false);
        _featureGate ??= await FeatureGateReader.ReadAsync(_client, cancelToken).ConfigureAwait(false);

        List<QuiesceInputs> result = new();
        foreach (JsonElement vm in vms)
        {
            string ns = vm.Child("metadata").String("namespace") ?? string.Empty;
            string name = vm.Child("metadata").String("name") ?? string.Empty;
            string key = $"{ns}/{name}";
            JsonElement? vmi = samples[0].TryGetValue(key, out JsonElement first) ? first : null;
            bool[] agent = samples.Select(s => s.TryGetValue(key, out JsonElement i) && HasAgent(i)).ToArray();
            (AccessAnswer create, AccessAnswer freeze) = await AccessAsync(ns, cancelToken).ConfigureAwait(false);
            QuiesceInputs inputs = new()
            {
                Vm = vm,
                Vmi = vmi,
                AgentSamples = agent,
                SampleSpan = span,
                FeatureGate = _featureGate,
                CanCreateSnapshot = create,
                CanFreeze = freeze,
                LatestSnapshot = latest.GetValueOrDefault(key),
                SnapshotsUnreadable = snapshotsUnreadable,
            };
            if (agent.Any(a => a) && VmRunState.Of(vm, vmi).State == RunState.Running)
            {
                inputs = inputs with
                {
                    GuestInfo = await GuestInfoReader.ReadAsync(_connection, ns, name, cancelToken).ConfigureAwait(false),
                };
            }

            result.Add(inputs with { Now = DateTime.UtcNow });
        }

        return result;
    }

    /// <summary>The VMI of one VM now (for re-checking fsFreezeStatus after a trial); null when it is gone.</summary>
    public Task<JsonElement?> ReadInstanceAsync(string @namespace, string name, CancellationToken cancelToken) =>
        CustomResources.GetAsync(_client, ResourceType.VirtualMachineInstance, @namespace, name, cancelToken);

    // virt-handler adds AgentConnected while the channel is up and removes it when it goes down; KubeVirt's
    // snapshot controller tests its presence (kubevirt-api.md §3.2). A False status is treated as absent too.
    private static bool HasAgent(JsonElement vmi) =>
        vmi.Child("status").Condition("AgentConnected") is { } condition && condition.String("status") != "False";

    private async Task<(List<Dictionary<string, JsonElement>>, TimeSpan)> SampleInstancesAsync(string? @namespace,
        CancellationToken cancelToken)
    {
        List<Dictionary<string, JsonElement>> samples = new();
        Stopwatch watch = Stopwatch.StartNew();
        for (int i = 0; i < Samples; i++)
        {
            if (i > 0)
            {
                await Task.Delay(SampleInterval, cancelToken).ConfigureAwait(false);
            }

            Dictionary<string, JsonElement> sample = new(StringComparer.Ordinal);
            await foreach (JsonElement vmi in CustomResources.ListAsync(_client, ResourceType.VirtualMachineInstance,
                               @namespace, null, null, SnapshotReader.DefaultPageSize, cancelToken).ConfigureAwait(false))
            {
                sample[$"{vmi.Child("metadata").String("namespace")}/{vmi.Child("metadata").String("name")}"] = vmi;
            }

            samples.Add(sample);
            if (i == 0 && !sample.Values.Any(v => v.Child("status").String("phase") == "Running"))
            {
                // Nothing runs, so there is no agent to flap: more samples would only cost time.
                break;
            }
        }

        return (samples, watch.Elapsed);
    }

    private async Task<(Dictionary<string, KubeVirtVMSnapshot>, string?)> LatestSnapshotsAsync(string? @namespace,
        CancellationToken cancelToken)
    {
        try
        {
            return (await SnapshotReader.LatestPerVmAsync(_connection, @namespace, _ => true, cancelToken)
                .ConfigureAwait(false), null);
        }
        catch (KubeApiException e) when (e.Kind is not ApiErrorKind.Unauthorized && !e.IsConnectionFailure)
        {
            // The history is a nice-to-have: without it the other checks still stand.
            return (new Dictionary<string, KubeVirtVMSnapshot>(StringComparer.Ordinal), e.Message);
        }
    }

    private async Task<(AccessAnswer, AccessAnswer)> AccessAsync(string @namespace, CancellationToken cancelToken)
    {
        if (!_access.TryGetValue(@namespace, out (AccessAnswer Create, AccessAnswer Freeze) answers))
        {
            answers = (await AccessReviewer.CanCreateSnapshotAsync(_client, @namespace, cancelToken).ConfigureAwait(false),
                await AccessReviewer.CanFreezeAsync(_client, @namespace, cancelToken).ConfigureAwait(false));
            _access[@namespace] = answers;
        }

        return answers;
    }
}

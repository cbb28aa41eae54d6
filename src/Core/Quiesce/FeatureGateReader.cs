using System.Text.Json;
using k8s;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Quiesce;

/// <summary>
/// Reads KubeVirt's Snapshot feature gate from the KubeVirt CR (kubevirt-api.md §0): up to v1.8 it must be listed in
/// developerConfiguration.featureGates; from v1.9 it is Beta and on unless listed in disabledFeatureGates. Most
/// users may not read the CR (it lives in the KubeVirt or openshift-cnv namespace); then the answer is Unknown.
/// </summary>
internal static class FeatureGateReader
{
    public static async Task<FeatureGateAnswer> ReadAsync(IKubernetes client, CancellationToken cancelToken)
    {
        JsonElement? kubevirt = null;
        try
        {
            await foreach (JsonElement item in CustomResources.ListAsync(client, QuiesceResources.KubeVirt, null, null,
                               null, pageSize: 10, cancelToken).ConfigureAwait(false))
            {
                kubevirt = item;
                break;
            }
        }
        catch (KubeApiException e) when (e.Kind is not ApiErrorKind.Unauthorized && !e.IsConnectionFailure)
        {
            // Most users may not read the CR; that leaves the gate unknown, which is a finding, not a failure.
            return FeatureGateAnswer.Unknown(e.Kind switch
            {
                ApiErrorKind.Forbidden => "you may not list kubevirts.kubevirt.io",
                ApiErrorKind.NotFound => "the kubevirts.kubevirt.io API was not found",
                _ => $"listing kubevirts.kubevirt.io failed: {e.Message}",
            });
        }

        return kubevirt is { } cr ? Decide(cr) : FeatureGateAnswer.Unknown("no KubeVirt CR was found");
    }

    /// <summary>The gate's state from one KubeVirt CR.</summary>
    public static FeatureGateAnswer Decide(JsonElement kubevirt)
    {
        JsonElement developer = kubevirt.Child("spec").Child("configuration").Child("developerConfiguration");
        string where = $"KubeVirt CR {kubevirt.Child("metadata").String("namespace")}/{kubevirt.Child("metadata").String("name")}";
        if (developer.Child("disabledFeatureGates").Strings().Contains("Snapshot", StringComparer.Ordinal))
        {
            return new FeatureGateAnswer(FeatureGateState.Disabled, $"listed in disabledFeatureGates of the {where}");
        }

        if (developer.Child("featureGates").Strings().Contains("Snapshot", StringComparer.Ordinal))
        {
            return new FeatureGateAnswer(FeatureGateState.Enabled, $"listed in featureGates of the {where}");
        }

        string? version = kubevirt.Child("status").String("observedKubeVirtVersion")
            ?? kubevirt.Child("status").String("targetKubeVirtVersion");
        return MinorVersion(version) switch
        {
            >= 9 => new FeatureGateAnswer(FeatureGateState.Enabled,
                $"KubeVirt {version} turns Beta gates on unless they are disabled, and the {where} does not disable it"),
            { } => new FeatureGateAnswer(FeatureGateState.Disabled,
                $"KubeVirt {version} needs 'Snapshot' in featureGates, and the {where} does not list it"),
            null => FeatureGateAnswer.Unknown(
                $"the {where} neither lists nor disables it, and its KubeVirt version is not reported"),
        };
    }

    /// <summary>The minor of a v1.x version; null when it is not a 1.x version.</summary>
    private static int? MinorVersion(string? version)
    {
        string[] parts = (version ?? string.Empty).TrimStart('v').Split('.', '-');
        return parts.Length >= 2 && parts[0] == "1" && int.TryParse(parts[1], out int minor) ? minor : null;
    }
}

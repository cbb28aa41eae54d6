using k8s;
using k8s.Models;
using VmSnapshot.Core.Connection;

namespace VmSnapshot.Core.Api;

/// <summary>Reads the core/v1 Events about one object, to show a user why something failed.</summary>
public static class EventReader
{
    /// <summary>"Reason: message" of the object's events, oldest first. Empty when events cannot be read.</summary>
    public static async Task<IReadOnlyList<string>> ForObjectAsync(KubeVirtConnection connection, string @namespace,
        string name, CancellationToken cancelToken)
    {
        IKubernetes client = ConnectionFactory.ClientFor(connection).Client;
        try
        {
            Corev1EventList events = await ApiCall.RunAsync(
                new ApiRequest("list", new ResourceType(string.Empty, "v1", "events", "Event"), @namespace),
                ct => client.CoreV1.ListNamespacedEventAsync(@namespace, cancellationToken: ct), cancelToken).ConfigureAwait(false);
            return events.Items
                .Where(e => e.InvolvedObject?.Name == name)
                .OrderBy(e => e.LastTimestamp ?? e.EventTime ?? e.Metadata?.CreationTimestamp)
                .Select(e => $"{e.Reason}: {e.Message}")
                .ToArray();
        }
        catch (KubeApiException)
        {
            // Events only explain; a user without the right to read them still gets the error itself.
            return Array.Empty<string>();
        }
    }
}

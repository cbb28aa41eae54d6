using k8s;

namespace VmSnapshot.Core.Connection;

/// <summary>
/// Gets KubernetesClient ready in the background while the session does other things. Its first use in a process costs
/// 150-200 ms of type initialisation and JIT (the serializer's options and resolvers, the client's handler pipeline)
/// that a runbook would otherwise pay inside Connect-KubeVirt on every start. Started when the module
/// is imported; nothing it does is needed for correctness, so any failure is ignored.
/// </summary>
public static class ClientWarmup
{
    private static int s_started;

    /// <summary>Starts the warm-up once per process, on a thread-pool thread; returns at once.</summary>
    public static void Start()
    {
        if (Interlocked.Exchange(ref s_started, 1) == 1)
        {
            return;
        }

        _ = Task.Run(() =>
        {
            try
            {
                // No request is sent (no connection attempt from an import): the serializer and the client's
                // construction are the part worth doing early.
                _ = KubernetesJson.Deserialize<object>("""{"kind":"List","apiVersion":"v1","metadata":{},"items":[]}""");
                using Kubernetes client = new(new KubernetesClientConfiguration { Host = "http://127.0.0.1", AccessToken = "warm-up" });
            }
            catch (Exception)
            {
                // Nothing depends on it.
            }
        });
    }
}

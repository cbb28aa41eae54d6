using k8s;
using k8s.KubeConfigModels;
using VmSnapshot.Core.Api;

namespace VmSnapshot.Core.Connection;

/// <summary>
/// Gets KubernetesClient ready in the background while the session does other things. Its first use in a process costs
/// 150-200 ms of type initialisation and JIT (the serializer's options and resolvers, the client's handler pipeline)
/// that a runbook would otherwise pay inside Connect-KubeVirt on every start. Connect-KubeVirt's own first steps
/// (reading a kubeconfig with YamlDotNet, building the client configuration from it, the first call through the retry
/// policy: about a thousand methods to compile) are done here too. Measured in fresh sessions: when the import comes a
/// moment before Connect-KubeVirt (a profile, a runbook that reads its vault first), Connect-KubeVirt takes ~90 ms
/// instead of ~180 ms; right after the import, the two share the same compilation and it gains nothing. Started when
/// the module is imported; nothing it does is needed for correctness, so any failure is ignored.
/// </summary>
public static class ClientWarmup
{
    private static int s_started;

    /// <summary>A kubeconfig with what a token login has: a cluster, a user with a token, a context.</summary>
    private const string SampleKubeconfig = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: warm-up
          cluster:
            server: http://127.0.0.1
        users:
        - name: warm-up
          user:
            token: warm-up
        contexts:
        - name: warm-up
          context:
            cluster: warm-up
            user: warm-up
            namespace: default
        current-context: warm-up
        """;

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
                Run();
            }
            catch (Exception)
            {
                // Nothing depends on it.
            }
        });
    }

    /// <summary>
    /// The warm-up's work. No request is sent (an import makes no connection attempt). The steps follow
    /// Connect-KubeVirt's order, so that it finds each one compiled as it comes to it. It throws where a step fails,
    /// which <see cref="Start"/> ignores and a test does not.
    /// </summary>
    internal static void Run()
    {
        K8SConfiguration kubeconfig = KubeconfigReader.Parse(new StringReader(SampleKubeconfig), "warm-up");
        KubernetesClientConfiguration configuration = KubernetesClientConfiguration.BuildConfigFromConfigObject(kubeconfig, "warm-up");
        using Kubernetes client = new(configuration);
        _ = KubernetesJson.Deserialize<object>("""{"kind":"List","apiVersion":"v1","metadata":{},"items":[]}""");
        _ = ApiCall.RunAsync(new ApiRequest("get", ResourceType.VirtualMachineSnapshot, "warm-up", "warm-up"),
            _ => Task.FromResult("warm-up"), CancellationToken.None).GetAwaiter().GetResult();
    }
}

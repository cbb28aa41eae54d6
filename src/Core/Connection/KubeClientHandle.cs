using k8s;

namespace VmSnapshot.Core.Connection;

/// <summary>
/// The KubernetesClient objects behind a <see cref="KubeVirtConnection"/>. One per connection, reused by every
/// cmdlet that uses it, so a session keeps one HTTP connection pool instead of opening one per command.
/// </summary>
internal sealed class KubeClientHandle : IDisposable
{
    public KubeClientHandle(KubernetesClientConfiguration configuration)
    {
        Configuration = configuration;
        Client = new Kubernetes(configuration);
    }

    public KubernetesClientConfiguration Configuration { get; }

    public IKubernetes Client { get; }

    public void Dispose() => Client.Dispose();
}

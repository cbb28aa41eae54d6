using k8s;

namespace VmSnapshot.Core.Connection;

/// <summary>
/// The KubernetesClient objects behind a <see cref="KubeVirtConnection"/>. One per connection, reused by every
/// cmdlet that uses it, so a session keeps one HTTP connection pool instead of opening one per command.
/// </summary>
internal sealed class KubeClientHandle : IDisposable
{
    /// <param name="configuration">The client's configuration.</param>
    /// <param name="credential">Where the bearer token can be read again when the server refuses it (null: nowhere,
    /// e.g. a token given with -Token).</param>
    public KubeClientHandle(KubernetesClientConfiguration configuration, IRefreshableCredential? credential = null)
    {
        Configuration = configuration;
        Client = credential is null
            ? new Kubernetes(configuration)
            : new Kubernetes(configuration, new CredentialRefreshHandler(credential));
    }

    public KubernetesClientConfiguration Configuration { get; }

    public IKubernetes Client { get; }

    public void Dispose() => Client.Dispose();
}

using System.Text.Json;
using k8s;
using k8s.KubeConfigModels;
using VmSnapshot.Core.Connection;
using Xunit;

namespace VmSnapshot.Tests.Core;

/// <summary>
/// The fast kubeconfig reader gives exactly what KubernetesClient's own loader gives (LoadKubeConfig with
/// useRelativePaths), for every field the client uses, so BuildConfigFromConfigObject cannot tell them apart.
/// </summary>
public sealed class KubeconfigReaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("kubeconfig-reader-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };

    [Theory]
    [InlineData("""
        apiVersion: v1
        kind: Config
        current-context: prod
        preferences: {}
        clusters:
        - name: prod
          cluster:
            server: https://api.ocp.example.com:6443
            certificate-authority-data: TFMwdExTMUNSVWRKVGlCRFJWSlVTVVpKUTBGVVJTMHRMUzB0Q2c9PQ==
            tls-server-name: api.internal
            extensions: [{name: x, extension: {a: b}}]
        - name: lab
          cluster:
            server: http://127.0.0.1:1234
            certificate-authority: certs/ca.crt
            insecure-skip-tls-verify: true
        users:
        - name: admin
          user:
            token: sha256~abc
        - name: certs
          user:
            client-certificate: certs/client.crt
            client-key: /abs/client.key
            client-certificate-data: Y2VydA==
            client-key-data: a2V5
        - name: basic
          user:
            username: alice
            password: "s3cret: yes"
            as: bob
            as-groups: [ops, dev]
        - name: plugin
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1
              command: oc-login
              args: ["--server", "https://api"]
              env:
              - name: MODE
                value: batch
              installHint: install oc
              provideClusterInfo: true
              interactiveMode: Never
        - name: oidc
          user:
            auth-provider:
              name: oidc
              config:
                client-id: kube
                id-token: eyJ
        - name: empty
          user: {}
        contexts:
        - name: prod
          context:
            cluster: prod
            user: admin
            namespace: vms
        - name: lab
          context:
            cluster: lab
            user: certs
            namespace: ~
        - name: bare
          context: {cluster: lab, user: basic}
        """)]
    [InlineData("""
        apiVersion: v1
        kind: Config
        clusters: []
        users: null
        contexts:
        """)]
    public void Reads_what_KubernetesClient_reads(string yaml)
    {
        string path = Path.Combine(_folder, "config");
        File.WriteAllText(path, yaml);

        K8SConfiguration expected = KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(path), useRelativePaths: true);
        K8SConfiguration actual = KubeconfigReader.Read(path);

        Assert.Equal(Normalized(expected), Normalized(actual));
        foreach (string value in new[] { "sha256~abc", "oc-login", "batch", "certs/client.crt", "api.internal" }.Where(yaml.Contains))
        {
            Assert.Contains(value, Normalized(actual)); // the comparison covers the fields, not just empty shapes
        }
    }

    /// <summary>The fields the client uses, as JSON; empty and missing collections alike (the deserializer varies).</summary>
    private static string Normalized(K8SConfiguration c) => JsonSerializer.Serialize(new
    {
        c.ApiVersion,
        c.Kind,
        c.CurrentContext,
        c.FileName,
        Clusters = (c.Clusters ?? []).Select(x => new
        {
            x.Name, x.ClusterEndpoint?.Server, x.ClusterEndpoint?.CertificateAuthority, x.ClusterEndpoint?.CertificateAuthorityData,
            x.ClusterEndpoint?.TlsServerName, x.ClusterEndpoint?.SkipTlsVerify,
        }),
        Users = (c.Users ?? []).Select(x => new
        {
            x.Name, x.UserCredentials?.Token, x.UserCredentials?.ClientCertificate, x.UserCredentials?.ClientKey,
            x.UserCredentials?.ClientCertificateData, x.UserCredentials?.ClientKeyData, x.UserCredentials?.UserName,
            x.UserCredentials?.Password, x.UserCredentials?.Impersonate,
            Groups = x.UserCredentials?.ImpersonateGroups ?? [],
            Provider = x.UserCredentials?.AuthProvider is { } p ? new { p.Name, p.Config } : null,
            Exec = x.UserCredentials?.ExternalExecution is { } e
                ? new { e.ApiVersion, e.Command, Args = e.Arguments ?? [], Env = e.EnvironmentVariables ?? [], e.InstallHint, e.ProvideClusterInfo }
                : null,
        }),
        Contexts = (c.Contexts ?? []).Select(x => new { x.Name, x.ContextDetails?.Cluster, x.ContextDetails?.User, x.ContextDetails?.Namespace }),
    }, s_json);

    [Fact]
    public void The_import_warm_up_reads_its_sample_kubeconfig_and_runs_each_step_without_a_server()
    {
        // Start swallows failures (nothing depends on it), so a warm-up broken by a change would go unseen but here.
        ClientWarmup.Run();
    }
}

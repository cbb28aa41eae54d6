using System.Net;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;
using VmSnapshot.Core.Snapshots;
using VmSnapshot.Lab;
using Xunit;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Core;

/// <summary>
/// A token that is rotated mid-run (it expired, a new `oc login`, the kubelet renewed a projected token): the first
/// 401 makes the module read the credential again from its source, once, and carry on. A token given directly has no
/// source to re-read and fails with the 401 and its advice.
/// </summary>
public sealed class CredentialRefreshTests : IDisposable
{
    private readonly LabServer _lab = StartLab();
    private readonly string _folder = Directory.CreateTempSubdirectory("credential-refresh-").FullName;

    public void Dispose()
    {
        _lab.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private string Kubeconfig(string userYaml)
    {
        string path = Path.Combine(_folder, $"{Guid.NewGuid():N}.kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: lab
              cluster:
                server: {_lab.Server}
            users:
            - name: me
              user:
            {userYaml}
            contexts:
            - name: lab
              context:
                cluster: lab
                user: me
                namespace: vms
            current-context: lab
            """);
        return path;
    }

    private static Task<KubeVirtVMSnapshot?> ReadAsync(KubeVirtConnection connection) =>
        SnapshotReader.GetAsync(connection, "vms", "no-such-snapshot");

    [Fact]
    public async Task A_token_in_the_kubeconfig_is_read_again_when_the_server_refuses_it()
    {
        KubeVirtConnection connection = ConnectionFactory.FromKubeconfig([_lab.KubeconfigPath], null, null);
        await ReadAsync(connection);

        _lab.RotateToken(); // the old token is now refused; the kubeconfig holds the new one

        Assert.Null(await ReadAsync(connection));
    }

    [Fact]
    public async Task Many_requests_refused_together_all_carry_on_with_the_token_read_again()
    {
        KubeVirtConnection connection = ConnectionFactory.FromKubeconfig([_lab.KubeconfigPath], null, null);
        await ReadAsync(connection);

        _lab.RotateToken();
        KubeVirtVMSnapshot?[] results = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => ReadAsync(connection)));

        Assert.All(results, Assert.Null); // each read answered "not found": none was refused
    }

    [Fact]
    public async Task A_token_file_is_read_again_at_once_when_the_server_refuses_it()
    {
        string tokenFile = Path.Combine(_folder, "token");
        File.WriteAllText(tokenFile, _lab.Token);
        KubeVirtConnection connection = ConnectionFactory.FromKubeconfig([Kubeconfig($"    tokenFile: {tokenFile}")], null, null);
        await ReadAsync(connection);

        File.WriteAllText(tokenFile, _lab.RotateToken());

        Assert.Null(await ReadAsync(connection));
    }

    [Fact]
    public async Task An_exec_plugin_is_run_again_when_the_server_refuses_its_token()
    {
        string tokenFile = Path.Combine(_folder, "plugin-token");
        File.WriteAllText(tokenFile, _lab.Token);
        string script = $$$"""printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$(cat {{{tokenFile}}})" """;
        string args = "[\"-c\", \"" + script.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"]";
        KubeVirtConnection connection = ConnectionFactory.FromKubeconfig([Kubeconfig(
            "    exec:\n" +
            "      apiVersion: client.authentication.k8s.io/v1\n" +
            "      command: /bin/sh\n" +
            "      args: " + args + "\n" +
            "      interactiveMode: Never")], null, null);
        await ReadAsync(connection);

        File.WriteAllText(tokenFile, _lab.RotateToken());

        Assert.Null(await ReadAsync(connection));
    }

    [Fact]
    public async Task A_token_given_directly_has_no_source_to_read_again_and_fails_with_its_advice()
    {
        KubeVirtConnection connection = ConnectionFactory.FromToken(_lab.Server,
            new NetworkCredential(string.Empty, _lab.Token).SecurePassword, null, "vms");
        await ReadAsync(connection);

        _lab.RotateToken();

        KubeApiException e = await Assert.ThrowsAsync<KubeApiException>(() => ReadAsync(connection));
        Assert.Equal(ApiErrorKind.Unauthorized, e.Kind);
        Assert.Contains("get a new one and run Connect-KubeVirt again", e.Message);
        Assert.Equal(1, e.Attempts);
    }
}

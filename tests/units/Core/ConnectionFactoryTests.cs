using System.Net;
using System.Text;
using VmSnapshot.Core.Connection;
using Xunit;

namespace VmSnapshot.Tests.Core;

public sealed class ConnectionFactoryTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("vmsnapshot-kubeconfig-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string WriteKubeconfig(string fileName, string currentContext, params (string Context, string Server, string? Namespace)[] contexts)
    {
        StringBuilder yaml = new("apiVersion: v1\nkind: Config\n");
        if (currentContext.Length > 0)
        {
            yaml.Append($"current-context: {currentContext}\n");
        }

        yaml.Append("clusters:\n");
        foreach ((string Context, string Server, string? Namespace) c in contexts)
        {
            yaml.Append($"- name: {c.Context}-cluster\n  cluster:\n    server: {c.Server}\n");
        }

        yaml.Append("users:\n");
        foreach ((string Context, string Server, string? Namespace) c in contexts)
        {
            yaml.Append($"- name: {c.Context}-user\n  user:\n    token: secret-{c.Context}\n");
        }

        yaml.Append("contexts:\n");
        foreach ((string Context, string Server, string? Namespace) c in contexts)
        {
            yaml.Append($"- name: {c.Context}\n  context:\n    cluster: {c.Context}-cluster\n    user: {c.Context}-user\n");
            if (c.Namespace is not null)
            {
                yaml.Append($"    namespace: {c.Namespace}\n");
            }
        }

        string path = Path.Combine(_folder, fileName);
        File.WriteAllText(path, yaml.ToString());
        return path;
    }

    [Fact]
    public void Uses_the_current_context_and_its_namespace()
    {
        string path = WriteKubeconfig("a", "prod", ("prod", "https://prod.example:6443", "vms"), ("dev", "https://dev.example:6443", null));

        KubeVirtConnection connection = ConnectionFactory.FromKubeconfig(new[] { path }, null, null);

        Assert.Equal("prod", connection.Context);
        Assert.Equal(new Uri("https://prod.example:6443"), connection.Server);
        Assert.Equal("vms", connection.Namespace);
        Assert.Equal("prod-user", connection.User);
        Assert.Equal(ConnectionSource.Kubeconfig, connection.Source);
    }

    [Fact]
    public void An_explicit_context_and_namespace_win_and_default_is_the_fallback_namespace()
    {
        string path = WriteKubeconfig("a", "prod", ("prod", "https://prod.example:6443", "vms"), ("dev", "https://dev.example:6443", null));

        KubeVirtConnection dev = ConnectionFactory.FromKubeconfig(new[] { path }, "dev", null);
        KubeVirtConnection overridden = ConnectionFactory.FromKubeconfig(new[] { path }, "prod", "other");

        Assert.Equal("default", dev.Namespace);
        Assert.Equal(new Uri("https://dev.example:6443"), dev.Server);
        Assert.Equal("other", overridden.Namespace);
    }

    [Fact]
    public void Merges_several_files_first_wins()
    {
        string first = WriteKubeconfig("first", "", ("shared", "https://first.example", null));
        string second = WriteKubeconfig("second", "shared", ("shared", "https://second.example", null), ("only-second", "https://only.example", "ns2"));

        KubeVirtConnection shared = ConnectionFactory.FromKubeconfig(new[] { first, second }, null, null);
        KubeVirtConnection onlySecond = ConnectionFactory.FromKubeconfig(new[] { first, second }, "only-second", null);

        Assert.Equal("shared", shared.Context); // current-context came from the second file
        Assert.Equal(new Uri("https://first.example"), shared.Server); // but the first file's entry wins
        Assert.Equal(new Uri("https://only.example"), onlySecond.Server);
        Assert.Equal("ns2", onlySecond.Namespace);
    }

    [Fact]
    public void A_missing_context_is_refused_naming_the_known_ones_and_no_secret()
    {
        string path = WriteKubeconfig("a", "prod", ("prod", "https://prod.example", null));

        ConnectionException e = Assert.Throws<ConnectionException>(() =>
            ConnectionFactory.FromKubeconfig(new[] { path }, "nope", null));

        Assert.Equal(ConnectionFailure.ContextNotFound, e.Failure);
        Assert.Contains("'nope'", e.Message);
        Assert.Contains("prod", e.Message);
        Assert.DoesNotContain("secret-", e.Message);
    }

    [Fact]
    public void A_missing_file_is_refused()
    {
        string path = Path.Combine(_folder, "absent");

        ConnectionException e = Assert.Throws<ConnectionException>(() =>
            ConnectionFactory.FromKubeconfig(new[] { path }, null, null));

        Assert.Equal(ConnectionFailure.KubeconfigNotFound, e.Failure);
        Assert.Equal(path, e.Target);
    }

    [Fact]
    public void A_token_connection_reads_the_subject_of_a_service_account_jwt_and_keeps_the_token_private()
    {
        string payload = Convert.ToBase64String(Encoding.UTF8.GetBytes(
            """{"sub":"system:serviceaccount:ops:runbook"}""")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        string jwt = $"eyJhbGciOiJSUzI1NiJ9.{payload}.c2lnbmF0dXJl";

        KubeVirtConnection connection = ConnectionFactory.FromToken(new Uri("https://api.example:6443"),
            new NetworkCredential("", jwt).SecurePassword, null, "ops");

        Assert.Equal("system:serviceaccount:ops:runbook", connection.User);
        Assert.Equal("ops", connection.Namespace);
        Assert.DoesNotContain(typeof(KubeVirtConnection).GetProperties(), p => p.Name == "Token");
        Assert.DoesNotContain(jwt, connection.ToString());
    }

    [Fact]
    public void A_certificate_authority_that_is_not_pem_is_refused()
    {
        string bogus = Path.Combine(_folder, "ca.pem");
        File.WriteAllText(bogus, "not a certificate");

        ConnectionException e = Assert.Throws<ConnectionException>(() => ConnectionFactory.FromToken(
            new Uri("https://api.example:6443"), new NetworkCredential("", "t").SecurePassword, bogus, null));

        Assert.Equal(ConnectionFailure.CertificateAuthorityInvalid, e.Failure);
    }
    [Theory]
    [InlineData("not a uri", "'not a uri' is not an API server address", false)]
    [InlineData("https://", "'https://' is not an API server address", false)]
    [InlineData("api.example.com", "Did you mean 'https://api.example.com'?", true)]
    [InlineData("api.example.com:6443", "Did you mean 'https://api.example.com:6443'?", true)]
    [InlineData("ftp://api.example.com", "'ftp://api.example.com' is not an API server address", false)]
    [InlineData("/api", "'/api' is not an API server address", false)]
    [InlineData("https://admin:s3cret@api.example.com", "'https://***@api.example.com' is not an API server address: it carries a user name or password", false)]
    [InlineData("admin:s3cret@api.example.com", "'***@api.example.com' is not an API server address", false)]
    [InlineData(" https://u:s3cret@api.example.com ", "'https://***@api.example.com' is not an API server address", false)]
    [InlineData("//u:s3cret@api.example.com", "'//***@api.example.com' is not an API server address", false)]
    [InlineData("file:///u:s3cret@x", "'file://***@x' is not an API server address", false)]
    [InlineData("https://u:pa/s3cret@api.example.com", "'https://***@api.example.com' is not an API server address", false)]
    [InlineData("https://api.example.com/?token=s3cret", "'https://api.example.com/?***' is not an API server address: it has a query", false)]
    [InlineData("https://api.example.com/#s3cret", "'https://api.example.com/#***' is not an API server address: it has a fragment", false)]
    [InlineData("", "-Server is empty", false)]
    [InlineData("   ", "-Server is empty", false)]
    public void Every_unusable_server_text_is_InvalidServerUri_and_never_shows_a_password(string text, string expected, bool hinted)
    {
        ConnectionException e = Assert.Throws<ConnectionException>(() => ConnectionFactory.ParseServer(text));
        Assert.Equal(ConnectionFailure.InvalidServerUri, e.Failure);
        Assert.Contains(expected, e.Message);
        Assert.Equal(hinted, e.Message.Contains("Did you mean", StringComparison.Ordinal));
        Assert.DoesNotContain("s3cret", e.Message);
        Assert.DoesNotContain("s3cret", e.Target?.ToString() ?? "");
    }

    [Theory]
    [InlineData(" https://api.example.com:6443 ", "https://api.example.com:6443/")]
    [InlineData("https://rancher.example.com/k8s/clusters/c-1", "https://rancher.example.com/k8s/clusters/c-1")]
    [InlineData("http://127.0.0.1:8080", "http://127.0.0.1:8080/")]
    public void A_server_address_parses_with_its_path_kept(string text, string expected)
        => Assert.Equal(expected, ConnectionFactory.ParseServer(text).ToString());

    [Theory]
    [InlineData("\thttps://u:s3cret@h:6443 ", "https://***@h:6443")]
    [InlineData("https://h:6443/?token=s3cret#s3cret", "https://h:6443/?***")]
    [InlineData("https://h:6443/k8s/clusters/c-1", "https://h:6443/k8s/clusters/c-1")]
    public void Redaction_masks_user_information_query_and_fragment_whatever_surrounds_them(string text, string expected)
        => Assert.Equal(expected, ConnectionFactory.RedactUserInfo(text));
}

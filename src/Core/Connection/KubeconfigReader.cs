using k8s.Exceptions;
using k8s.KubeConfigModels;
using YamlDotNet.RepresentationModel;

namespace VmSnapshot.Core.Connection;

/// <summary>
/// Reads a kubeconfig file into KubernetesClient's model. KubernetesClient's own loader
/// (KubernetesClientConfiguration.LoadKubeConfig, through KubernetesYaml's reflection-based deserializer) costs about a
/// third of a second in a fresh process, every runbook start; reading the same file through YamlDotNet's representation
/// model costs about ten milliseconds (measured: tools/Bench.ps1, Startup). The result is what LoadKubeConfig with
/// useRelativePaths gives: every field the client uses, unknown fields ignored, and FileName set to the full path so
/// relative certificate paths resolve against the file's folder (KubernetesClientConfiguration.GetFullPath).
/// </summary>
internal static class KubeconfigReader
{
    /// <summary>The kubeconfig at <paramref name="path"/>; a file that is no kubeconfig mapping throws KubeConfigException.</summary>
    public static K8SConfiguration Read(string path)
    {
        using StreamReader reader = new(path);
        return Parse(reader, path);
    }

    /// <summary>A kubeconfig's text, read as the file at <paramref name="path"/> (which is not opened).</summary>
    public static K8SConfiguration Parse(TextReader reader, string path)
    {
        YamlStream yaml = new();
        yaml.Load(reader);

        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new KubeConfigException($"the file '{path}' is not a kubeconfig (its top level is not a mapping)");
        }

        return new K8SConfiguration
        {
            ApiVersion = Text(root, "apiVersion"),
            Kind = Text(root, "kind"),
            CurrentContext = Text(root, "current-context"),
            Clusters = Items(root, "clusters").Select(c => new Cluster
            {
                Name = Text(c, "name"),
                ClusterEndpoint = Map(c, "cluster") is { } endpoint
                    ? new ClusterEndpoint
                    {
                        Server = Text(endpoint, "server"),
                        CertificateAuthority = Text(endpoint, "certificate-authority"),
                        CertificateAuthorityData = Text(endpoint, "certificate-authority-data"),
                        TlsServerName = Text(endpoint, "tls-server-name"),
                        SkipTlsVerify = Bool(endpoint, "insecure-skip-tls-verify"),
                    }
                    : null,
            }).ToList(),
            Users = Items(root, "users").Select(u => new User
            {
                Name = Text(u, "name"),
                UserCredentials = Map(u, "user") is { } user ? Credentials(user) : null,
            }).ToList(),
            Contexts = Items(root, "contexts").Select(c => new Context
            {
                Name = Text(c, "name"),
                ContextDetails = Map(c, "context") is { } context
                    ? new ContextDetails
                    {
                        Cluster = Text(context, "cluster"),
                        User = Text(context, "user"),
                        Namespace = Text(context, "namespace"),
                    }
                    : null,
            }).ToList(),
            FileName = Path.GetFullPath(path),
        };
    }

    private static UserCredentials Credentials(YamlMappingNode user) => new()
    {
        Token = Text(user, "token"),
        ClientCertificate = Text(user, "client-certificate"),
        ClientCertificateData = Text(user, "client-certificate-data"),
        ClientKey = Text(user, "client-key"),
        ClientKeyData = Text(user, "client-key-data"),
        UserName = Text(user, "username"),
        Password = Text(user, "password"),
        Impersonate = Text(user, "as"),
        ImpersonateGroups = Items(user, "as-groups").Select(g => g.ToString()).ToList(),
        AuthProvider = Map(user, "auth-provider") is { } provider
            ? new AuthProvider { Name = Text(provider, "name"), Config = Strings(Map(provider, "config")) }
            : null,
        ExternalExecution = Map(user, "exec") is { } exec
            ? new ExternalExecution
            {
                ApiVersion = Text(exec, "apiVersion"),
                Command = Text(exec, "command"),
                Arguments = Items(exec, "args").Select(a => a.ToString()).ToList(),
                EnvironmentVariables = Items(exec, "env").Select(e => Strings(e as YamlMappingNode)).ToList(),
                InstallHint = Text(exec, "installHint"),
                ProvideClusterInfo = Bool(exec, "provideClusterInfo"),
            }
            : null,
    };

    private static YamlNode? Child(YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out YamlNode? value) ? value : null;

    private static YamlMappingNode? Map(YamlNode node, string key) => Child(node, key) as YamlMappingNode;

    /// <summary>A scalar's text; null for a missing key or YAML null (~, null, empty), as the deserializer gives.</summary>
    private static string? Text(YamlNode node, string key) =>
        Child(node, key) is YamlScalarNode { Value: { } value } scalar &&
        !(scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && value is "" or "~" or "null" or "Null" or "NULL")
            ? value
            : null;

    private static bool Bool(YamlNode node, string key) =>
        Text(node, key) is { } text && bool.TryParse(text, out bool value) && value;

    private static IEnumerable<YamlNode> Items(YamlNode node, string key) =>
        Child(node, key) is YamlSequenceNode sequence ? sequence.Children : Enumerable.Empty<YamlNode>();

    private static Dictionary<string, string> Strings(YamlMappingNode? map) =>
        map?.Children.Where(p => p.Key is YamlScalarNode && p.Value is YamlScalarNode)
            .ToDictionary(p => ((YamlScalarNode)p.Key).Value ?? string.Empty, p => ((YamlScalarNode)p.Value).Value ?? string.Empty,
                StringComparer.Ordinal)
        ?? new Dictionary<string, string>(StringComparer.Ordinal);
}

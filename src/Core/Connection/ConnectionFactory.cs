using System.Net;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using k8s;
using k8s.Authentication;
using k8s.Exceptions;
using k8s.KubeConfigModels;
using VmSnapshot.Core.Api;

namespace VmSnapshot.Core.Connection;

/// <summary>
/// Builds <see cref="KubeVirtConnection"/>s from the three places credentials come from: kubeconfig files, a server
/// and token (runbooks), or the pod's service account. The client is created here too, so a bad kubeconfig fails at
/// Connect-KubeVirt rather than at the first real command.
/// </summary>
public static class ConnectionFactory
{
    internal const string DefaultNamespace = "default";

    /// <summary>Connects through kubeconfig files (merged, first wins) and a context (default: current-context).</summary>
    /// <param name="paths">Kubeconfig files; null or empty: KUBECONFIG, else ~/.kube/config.</param>
    /// <param name="context">The context; null: current-context.</param>
    /// <param name="namespace">The default namespace; null: the context's, else "default".</param>
    /// <param name="credentialTimeout">How long an exec credential plugin may run (default <see cref="ExecCredentialPlugin.DefaultTimeout"/>).</param>
    /// <param name="cancelToken">Ctrl+C: stops (and kills) a running credential plugin.</param>
    public static KubeVirtConnection FromKubeconfig(IReadOnlyList<string>? paths, string? context, string? @namespace,
        TimeSpan? credentialTimeout = null, CancellationToken cancelToken = default)
    {
        IReadOnlyList<string> files = paths is { Count: > 0 } ? paths : KubeconfigLocator.DefaultPaths();
        foreach (string file in files)
        {
            if (!File.Exists(file))
            {
                throw new ConnectionException(ConnectionFailure.KubeconfigNotFound,
                    $"No kubeconfig file was found at '{file}'. Pass -Kubeconfig PATH, set KUBECONFIG, or connect " +
                    "with -Server and -Token.", file);
            }
        }

        K8SConfiguration merged = LoadMerged(files);
        string? contextName = string.IsNullOrEmpty(context) ? merged.CurrentContext : context;
        string joinedPaths = string.Join(Path.PathSeparator, files);
        if (string.IsNullOrEmpty(contextName))
        {
            throw new ConnectionException(ConnectionFailure.ContextNotFound,
                $"The kubeconfig '{joinedPaths}' has no current-context. Pass -Context with one of: " +
                $"{DescribeContexts(merged)}.", joinedPaths);
        }

        Context? contextEntry = merged.Contexts?.FirstOrDefault(c => c.Name == contextName);
        if (contextEntry is null)
        {
            throw new ConnectionException(ConnectionFailure.ContextNotFound,
                $"The context '{contextName}' is not in the kubeconfig '{joinedPaths}'. Known contexts: " +
                $"{DescribeContexts(merged)}.", contextName);
        }

        CheckCredentialSources(merged, contextEntry);
        string? tokenFile = TokenFileOf(files, merged, contextEntry);
        ExecCredentialPlugin? plugin = StartCredentialPlugin(merged, contextEntry, credentialTimeout, cancelToken);
        KubernetesClientConfiguration configuration;
        IRefreshableCredential? credential = null;
        try
        {
            configuration = KubernetesClientConfiguration.BuildConfigFromConfigObject(merged, contextName);
            if (plugin is not null)
            {
                credential = plugin;
            }
            else if (tokenFile is not null)
            {
                credential = new TokenFileCredential(tokenFile); // re-read as it is rotated, and when refused
            }
            else if (!string.IsNullOrEmpty(configuration.AccessToken))
            {
                string? user = contextEntry.ContextDetails?.User;
                credential = new KubeconfigTokenCredential(configuration.AccessToken,
                    () => LoadMerged(files).Users?.FirstOrDefault(u => u.Name == user)?.UserCredentials?.Token);
            }

            if (credential is not null)
            {
                configuration.AccessToken = null;
                configuration.TokenProvider = credential;
            }
        }
        catch (Exception e) when (e is KubeConfigException or FormatException or CryptographicException or IOException)
        {
            throw new ConnectionException(ConnectionFailure.KubeconfigInvalid,
                $"The kubeconfig context '{contextName}' cannot be used: {Reason(e)}", contextName, e);
        }

        if (configuration.SkipTlsVerify && configuration.SslCaCerts is { Count: > 0 })
        {
            // kubectl refuses the same combination: client-go transport/transport.go, TLSConfigFor.
            throw new ConnectionException(ConnectionFailure.KubeconfigInvalid,
                $"The kubeconfig context '{contextName}' sets insecure-skip-tls-verify together with a certificate " +
                "authority: specifying a root certificates file with the insecure flag is not allowed. Remove " +
                "insecure-skip-tls-verify from the cluster entry (the CA is what verifies the server).", contextName);
        }

        if (Uri.TryCreate(configuration.Host, UriKind.Absolute, out Uri? host) && ServerAddressProblem(host) is { } addressProblem)
        {
            throw new ConnectionException(ConnectionFailure.KubeconfigInvalid,
                $"The kubeconfig context '{contextName}' names the server '{RedactUserInfo(host.OriginalString)}', which {addressProblem}. Fix the " +
                "cluster entry's server (kubectl config set-cluster NAME --server=https://HOST:PORT).", contextName);
        }

        string effectiveNamespace = FirstNonEmpty(@namespace, configuration.Namespace) ?? DefaultNamespace;
        if (KubeNames.NamespaceProblem(effectiveNamespace) is { } problem)
        {
            throw new ConnectionException(ConnectionFailure.KubeconfigInvalid,
                $"The kubeconfig context '{contextName}' sets the namespace '{effectiveNamespace}', which is not a valid " +
                $"namespace: {problem}. Fix it (kubectl config set-context --current --namespace=NAME) or pass -Namespace.",
                contextName);
        }

        KubeVirtConnection connection = new(ConnectionSource.Kubeconfig, new Uri(configuration.Host), contextName,
            effectiveNamespace, contextEntry.ContextDetails?.User, joinedPaths, configuration.SkipTlsVerify,
            token: null, certificateAuthorityPath: null);
        connection.NamespaceOrigin = DescribeNamespaceOrigin(@namespace, configuration.Namespace,
            $"set by context '{contextName}'", $"context '{contextName}' sets none");
        connection.ClientCache = new KubeClientHandle(configuration, credential);
        return connection;
    }

    /// <summary>
    /// " Did you mean 'https://TEXT'?" when the server text lacks only its scheme (a host, with or without a port), or
    /// "" when putting https:// in front would not make an address of it ('not a uri', a file path, mailto:...).
    /// </summary>
    private static string SchemeHint(string text) =>
        !text.Contains("://", StringComparison.Ordinal) && !text.Contains(' ', StringComparison.Ordinal) &&
        Uri.TryCreate($"https://{text}", UriKind.Absolute, out Uri? withScheme) && withScheme.UserInfo.Length == 0 &&
        Uri.CheckHostName(withScheme.IdnHost) != UriHostNameType.Unknown
            ? $" Did you mean 'https://{text}'?"
            : string.Empty;

    /// <summary>
    /// What makes an absolute server URI unfit, or null. A user name and password in it would be shown in the
    /// connection's Server and in errors (Go's HTTP client under kubectl sends them as basic auth: net/http client.go,
    /// send, when the request has no Authorization header); a query
    /// or fragment is no part of a server address and would be silently kept or dropped.
    /// </summary>
    internal static string? ServerAddressProblem(Uri server) =>
        server.UserInfo.Length > 0 ? "carries a user name or password (give the token with -Token, never in the address)"
        : server.Query.Length > 0 ? "has a query (the part from '?', which may carry a secret and is shown as ***)"
        : server.Fragment.Length > 0 ? "has a fragment (the part from '#', shown as ***)"
        : null;

    /// <summary>
    /// Server text with any user information ("user:password@"), query and fragment shown as ***, for messages and
    /// error targets: each may carry a secret (a password, ?token=...). Text, not a Uri: 'admin:secret@host' (no
    /// scheme) parses as a URI with no user information at all.
    /// </summary>
    public static string RedactUserInfo(string text)
    {
        // Everything before the last '@' of the address part is user information, however the address is written
        // ('https://u:p@h', 'u:p@h', '//u:p@h', 'file:///u:p@h', a password with a '/' in it): masking a path that
        // happens to hold an '@' as well is the safe side of a mistake.
        text = text.Trim();
        int end = text.IndexOfAny(['?', '#']);
        string address = end < 0 ? text : text[..end];
        string rest = end < 0 ? string.Empty : text[end] + "***";
        int at = address.LastIndexOf('@');
        if (at >= 0)
        {
            string scheme = Regex.Match(address, "^([A-Za-z][A-Za-z0-9+.-]*:)?//", RegexOptions.CultureInvariant).Value;
            address = scheme + "***" + address[at..];
        }

        return address + rest;
    }

    /// <summary>
    /// The API server address in -Server text, or InvalidServerUri: one refusal, with one ErrorId, for every slip
    /// (no scheme, another scheme, a file path, a password, a query), where PowerShell's own conversion to Uri refused
    /// some of them with ParameterArgumentTransformationError and let others through.
    /// </summary>
    public static Uri ParseServer(string? text)
    {
        // An empty -Server is usually a variable that was never set ($env:K8S_SERVER in a runbook): refused here, not
        // by PowerShell's binding, so that the failed connect also ends the session's previous one.
        text = text?.Trim() ?? string.Empty;
        if (text.Length == 0)
        {
            throw new ConnectionException(ConnectionFailure.InvalidServerUri,
                "-Server is empty: give the API server's address, such as https://api.ocp.example.com:6443 (oc whoami " +
                "--show-server shows it). Check the variable or vault entry it was read from.", string.Empty);
        }

        return Uri.TryCreate(text, UriKind.Absolute, out Uri? server) ? CheckServer(server) : throw NotAnAddress(text);
    }

    private static Uri CheckServer(Uri server)
    {
        // 'api.example.com:6443' parses as an absolute URI whose scheme is the host name: the scheme was left out.
        if (!server.IsAbsoluteUri || server.Scheme is not ("https" or "http") || string.IsNullOrEmpty(server.Host))
        {
            throw NotAnAddress(server.OriginalString);
        }

        if (ServerAddressProblem(server) is { } problem)
        {
            string shown = RedactUserInfo(server.OriginalString);
            throw new ConnectionException(ConnectionFailure.InvalidServerUri,
                $"'{shown}' is not an API server address: it {problem}. Give the scheme, host, port and (behind a proxy) " +
                "path only, such as https://api.ocp.example.com:6443 (oc whoami --show-server shows it).", shown);
        }

        return server;
    }

    private static ConnectionException NotAnAddress(string text)
    {
        string shown = RedactUserInfo(text);
        return new ConnectionException(ConnectionFailure.InvalidServerUri,
            $"'{shown}' is not an API server address: give an absolute https:// URI such as " +
            $"https://api.ocp.example.com:6443 (oc whoami --show-server shows it).{SchemeHint(text)}", shown);
    }

    /// <summary>Connects with a server URI and a bearer token. TLS is always verified (system roots or the given CA).</summary>
    public static KubeVirtConnection FromToken(Uri server, SecureString? token, string? certificateAuthorityPath,
        string? @namespace)
    {
        server = CheckServer(server);
        if (token is null || token.Length == 0)
        {
            throw new ConnectionException(ConnectionFailure.TokenMissing,
                "-Token is empty: give the bearer token as a SecureString (for example from Get-Secret or " +
                "Get-AzKeyVaultSecret). Check the vault entry it was read from; oc whoami --show-token prints yours.",
                RedactUserInfo(server.OriginalString));
        }
        KubernetesClientConfiguration configuration = BuildTokenConfiguration(server, token, certificateAuthorityPath);
        KubeVirtConnection connection = new(ConnectionSource.Token, server, context: null,
            @namespace: FirstNonEmpty(@namespace) ?? DefaultNamespace, user: TokenSubject.TryRead(configuration.AccessToken!),
            kubeconfigPath: null, skipTlsVerify: false, token.Copy(), certificateAuthorityPath);
        connection.Token!.MakeReadOnly();
        connection.NamespaceOrigin = DescribeNamespaceOrigin(@namespace, null, "", "no -Namespace was given");
        connection.ClientCache = new KubeClientHandle(configuration);
        return connection;
    }

    /// <summary>Connects as the service account of the pod this session runs in.</summary>
    public static KubeVirtConnection InCluster(string? @namespace)
    {
        if (!KubernetesClientConfiguration.IsInCluster())
        {
            throw new ConnectionException(ConnectionFailure.NotInCluster,
                "This session is not running in a Kubernetes pod (KUBERNETES_SERVICE_HOST is not set or the " +
                "service account token is missing). Use a kubeconfig or -Server and -Token instead.", null);
        }

        KubernetesClientConfiguration configuration = KubernetesClientConfiguration.InClusterConfig();
        // The projected service account token is rotated by the kubelet: read it as a file that changes.
        // (where every pod gets it: https://kubernetes.io/docs/tasks/run-application/access-api-from-pod/).
        TokenFileCredential credential = new("/var/run/secrets/kubernetes.io/serviceaccount/token");
        configuration.TokenProvider = credential;
        string? accessToken = configuration.AccessToken ?? TryReadToken(credential);
        configuration.AccessToken = null;
        string? user = accessToken is not null ? TokenSubject.TryRead(accessToken) : null;
        KubeVirtConnection connection = new(ConnectionSource.InCluster, new Uri(configuration.Host), context: null,
            FirstNonEmpty(@namespace, configuration.Namespace) ?? DefaultNamespace, user, kubeconfigPath: null,
            configuration.SkipTlsVerify, token: null, certificateAuthorityPath: null);
        connection.NamespaceOrigin = DescribeNamespaceOrigin(@namespace, configuration.Namespace,
            "the service account's", "the service account has none");
        connection.ClientCache = new KubeClientHandle(configuration, credential);
        return connection;
    }

    /// <summary>Says which of the namespace's sources was used, in the order FirstNonEmpty tries them.</summary>
    private static string DescribeNamespaceOrigin(string? given, string? configured, string fromConfigured, string fromNone) =>
        FirstNonEmpty(given) is not null ? "-Namespace"
        : FirstNonEmpty(configured) is not null ? fromConfigured
        : fromNone;

    private static string? TryReadToken(TokenFileCredential credential)
    {
        try
        {
            return credential.GetAuthenticationHeaderAsync(CancellationToken.None).GetAwaiter().GetResult().Parameter;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The client behind a connection, rebuilt from its recorded source if it has none yet.</summary>
    internal static KubeClientHandle ClientFor(KubeVirtConnection connection)
    {
        lock (connection.SyncRoot)
        {
            if (connection.ClientCache is KubeClientHandle handle)
            {
                return handle;
            }

            KubeVirtConnection rebuilt = connection.Source switch
            {
                ConnectionSource.Token => FromToken(connection.Server, connection.Token!,
                    connection.CertificateAuthorityPath, connection.Namespace),
                ConnectionSource.InCluster => InCluster(connection.Namespace),
                _ => FromKubeconfig(connection.KubeconfigPath?.Split(Path.PathSeparator), connection.Context,
                    connection.Namespace),
            };
            connection.ClientCache = rebuilt.ClientCache;
            return (KubeClientHandle)connection.ClientCache!;
        }
    }

    private static KubernetesClientConfiguration BuildTokenConfiguration(Uri server, SecureString token,
        string? certificateAuthorityPath)
    {
        KubernetesClientConfiguration configuration = new()
        {
            Host = server.ToString().TrimEnd('/'),
            AccessToken = new NetworkCredential(string.Empty, token).Password,
        };

        if (!string.IsNullOrEmpty(certificateAuthorityPath))
        {
            try
            {
                X509Certificate2Collection authorities = new();
                authorities.ImportFromPemFile(certificateAuthorityPath);
                if (authorities.Count == 0)
                {
                    throw new CryptographicException("the file holds no PEM certificate");
                }

                configuration.SslCaCerts = authorities;
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
            {
                throw new ConnectionException(ConnectionFailure.CertificateAuthorityInvalid,
                    $"The certificate authority file '{certificateAuthorityPath}' cannot be read as PEM: {e.Message}",
                    certificateAuthorityPath, e);
            }
        }

        return configuration;
    }

    /// <summary>
    /// Checks what KubernetesClient would otherwise report badly: certificate-authority-data that is no certificate
    /// (it ignores it, and the TLS handshake then fails as if the server were wrong).
    /// </summary>
    private static void CheckCredentialSources(K8SConfiguration merged, Context context)
    {
        string? clusterName = context.ContextDetails?.Cluster;
        if (merged.Clusters?.FirstOrDefault(c => c.Name == clusterName)?.ClusterEndpoint?.CertificateAuthorityData is { Length: > 0 } caData &&
            !IsCertificateData(caData))
        {
            throw new ConnectionException(ConnectionFailure.CertificateAuthorityInvalid,
                $"The certificate-authority-data of cluster '{clusterName}' in the kubeconfig is not a certificate (it must be " +
                "a base64-encoded PEM certificate). Copy it again from the cluster (oc get configmap kube-root-ca.crt -o yaml).",
                clusterName);
        }
    }

    /// <summary>
    /// The context user's tokenFile, when it has one and no token of its own: checked to exist (naming the path if
    /// not) and given a placeholder token so the client builds; every request then reads the file.
    /// </summary>
    private static string? TokenFileOf(IReadOnlyList<string> files, K8SConfiguration merged, Context context)
    {
        string? userName = context.ContextDetails?.User;
        UserCredentials? credentials = merged.Users?.FirstOrDefault(u => u.Name == userName)?.UserCredentials;
        if (credentials is null || !string.IsNullOrEmpty(credentials.Token) || credentials.ExternalExecution is not null)
        {
            return null;
        }

        string? tokenFile;
        try
        {
            tokenFile = KubeconfigTokenFile.Find(files, userName);
        }
        catch (Exception e) when (e is IOException or YamlDotNet.Core.YamlException)
        {
            return null; // LoadMerged already read these files; anything odd here is its business.
        }

        if (tokenFile is null)
        {
            return null;
        }

        if (!File.Exists(tokenFile))
        {
            throw new ConnectionException(ConnectionFailure.KubeconfigInvalid,
                $"The kubeconfig user '{userName}' reads its token from the file '{tokenFile}' (tokenFile), which does not " +
                "exist. Create it (for a service account: kubectl create token NAME > FILE) or fix the path.", tokenFile);
        }

        credentials.Token = "read-from-the-token-file";
        return tokenFile;
    }

    /// <summary>
    /// Runs the context user's exec plugin here (bounded, cancellable) instead of inside KubernetesClient, and leaves
    /// the user with a placeholder token so the client builds; the plugin then supplies every request's token.
    /// </summary>
    private static ExecCredentialPlugin? StartCredentialPlugin(K8SConfiguration merged, Context context, TimeSpan? timeout,
        CancellationToken cancelToken)
    {
        string? userName = context.ContextDetails?.User;
        UserCredentials? credentials = merged.Users?.FirstOrDefault(u => u.Name == userName)?.UserCredentials;
        if (credentials?.ExternalExecution is not { } exec)
        {
            return null;
        }

        ExecCredentialPlugin plugin = ExecCredentialPlugin.StartAsync(exec, userName ?? string.Empty,
            timeout ?? ExecCredentialPlugin.DefaultTimeout, cancelToken).GetAwaiter().GetResult();
        credentials.ExternalExecution = null;
        credentials.Token = "supplied-by-the-exec-plugin";
        return plugin;
    }

    private static bool IsCertificateData(string base64)
    {
        try
        {
            byte[] bytes = Convert.FromBase64String(base64);
            string text = System.Text.Encoding.ASCII.GetString(bytes);
            X509Certificate2Collection certificates = new();
            if (text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                certificates.ImportFromPem(text);
            }
            else
            {
                certificates.Add(new X509Certificate2(bytes));
            }

            return certificates.Count > 0;
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return false;
        }
    }

    private static K8SConfiguration LoadMerged(IReadOnlyList<string> files)
    {
        K8SConfiguration? merged = null;
        foreach (string file in files)
        {
            K8SConfiguration current;
            try
            {
                // An empty file makes KubernetesClient fail with a NullReferenceException: say what it is instead.
                if (string.IsNullOrWhiteSpace(File.ReadAllText(file)))
                {
                    throw new ConnectionException(ConnectionFailure.KubeconfigInvalid,
                        $"The kubeconfig '{file}' is empty. Get a kubeconfig from the cluster (oc login, or the console's " +
                        "'Copy login command'), or pass another with -Kubeconfig.", file);
                }

                current = KubeconfigReader.Read(file);
            }
            catch (Exception e) when (e is KubeConfigException or IOException or YamlDotNet.Core.YamlException)
            {
                throw new ConnectionException(ConnectionFailure.KubeconfigInvalid,
                    $"The kubeconfig '{file}' cannot be read: {Reason(e)}", file, e);
            }

            merged = merged is null ? current : Merge(merged, current);
        }

        return merged!;
    }

    /// <summary>Merges like kubectl: the first file to define a name wins, and the first current-context wins.</summary>
    private static K8SConfiguration Merge(K8SConfiguration first, K8SConfiguration second)
    {
        first.CurrentContext = FirstNonEmpty(first.CurrentContext, second.CurrentContext);
        first.Contexts = Union(first.Contexts, second.Contexts, c => c.Name);
        first.Clusters = Union(first.Clusters, second.Clusters, c => c.Name);
        first.Users = Union(first.Users, second.Users, u => u.Name);
        return first;
    }

    private static List<T> Union<T>(IEnumerable<T>? first, IEnumerable<T>? second, Func<T, string> key)
    {
        List<T> result = first?.ToList() ?? new List<T>();
        HashSet<string> seen = result.Select(key).ToHashSet(StringComparer.Ordinal);
        result.AddRange((second ?? Enumerable.Empty<T>()).Where(item => seen.Add(key(item))));
        return result;
    }

    private static string DescribeContexts(K8SConfiguration configuration)
    {
        string[] names = configuration.Contexts?.Select(c => c.Name).ToArray() ?? Array.Empty<string>();
        return names.Length == 0 ? "(none)" : string.Join(", ", names);
    }

    /// <summary>
    /// The first line of the message: an exec plugin's failure otherwise carries the plugin's whole output and stack
    /// trace into the error.
    /// </summary>
    private static string Reason(Exception e) => e.Message.Split('\n', 2)[0].Trim();

    private static string? FirstNonEmpty(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrEmpty(v));
}

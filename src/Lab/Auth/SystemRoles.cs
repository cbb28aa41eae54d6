namespace VmSnapshot.Lab.Auth;

/// <summary>
/// The ClusterRoles kube-apiserver binds to every authenticated user (system:authenticated), from its RBAC
/// bootstrap policy (kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go, ClusterRoles()):
/// system:basic-user (the self reviews), system:discovery and system:public-info-viewer (discovery, version,
/// health). Admins hold cluster-admin on top: every resource and every URL.
/// </summary>
public static class SystemRoles
{
    /// <summary>system:basic-user.</summary>
    public static IReadOnlyList<AccessRule> BasicUser { get; } =
    [
        new AccessRule { ApiGroups = ["authorization.k8s.io"], Resources = ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], Verbs = ["create"] },
        new AccessRule { ApiGroups = ["authentication.k8s.io"], Resources = ["selfsubjectreviews"], Verbs = ["create"] },
    ];

    /// <summary>system:discovery's nonResourceURLs (verb get).</summary>
    public static IReadOnlyList<string> DiscoveryUrls { get; } =
        ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"];

    /// <summary>system:public-info-viewer's nonResourceURLs (verb get).</summary>
    public static IReadOnlyList<string> PublicInfoUrls { get; } = ["/healthz", "/livez", "/readyz", "/version", "/version/"];

    /// <summary>cluster-admin.</summary>
    public static AccessRule ClusterAdmin { get; } = new() { ApiGroups = ["*"], Resources = ["*"], Verbs = ["*"] };

    /// <summary>RBAC's NonResourceURLMatches: an exact URL, or a prefix ending in "*".</summary>
    public static bool UrlMatches(string rule, string path)
        => rule == "*" || rule == path || (rule.EndsWith('*') && path.StartsWith(rule[..^1], StringComparison.Ordinal));
}

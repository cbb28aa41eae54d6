namespace VmSnapshot.Lab.Auth;

/// <summary>One RBAC PolicyRule: apiGroups x resources x verbs, "*" as wildcard, optional resourceNames.</summary>
public sealed class AccessRule
{
    public List<string> ApiGroups { get; set; } = [];
    public List<string> Resources { get; set; } = [];
    public List<string> Verbs { get; set; } = [];
    public List<string> ResourceNames { get; set; } = [];

    /// <summary>resource may carry a subresource ("virtualmachinesnapshots/status"), matched like RBAC does.</summary>
    public bool Allows(string verb, string group, string resource, string? name)
    {
        if (!Verbs.Contains("*") && !Verbs.Contains(verb)) return false;
        if (!ApiGroups.Contains("*") && !ApiGroups.Contains(group)) return false;
        int slash = resource.IndexOf('/');
        bool resourceMatch = Resources.Contains("*") || Resources.Contains(resource)
            || (slash > 0 && Resources.Contains("*" + resource[slash..]));
        if (!resourceMatch) return false;
        return ResourceNames.Count == 0 || (name != null && ResourceNames.Contains(name));
    }
}

/// <summary>A user the lab recognizes by bearer token. The admin may do everything.</summary>
public sealed class LabUser
{
    public required string Name { get; init; }
    public required string Token { get; init; }
    public bool IsAdmin { get; init; }
    public IReadOnlyList<AccessRule> Rules { get; init; } = [];

    /// <summary>The user's groups as the authenticator reports them: admins are system:masters.</summary>
    public IReadOnlyList<string> Groups => IsAdmin ? ["system:masters", "system:authenticated"] : ["system:authenticated"];

    /// <summary>The scenario's rules plus system:basic-user, which every authenticated user holds.</summary>
    public bool Can(string verb, string group, string resource, string? name)
        => IsAdmin || Rules.Any(r => r.Allows(verb, group, resource, name)) || SystemRoles.BasicUser.Any(r => r.Allows(verb, group, resource, name));

    /// <summary>A non-resource URL (discovery, /version, health): system:discovery and system:public-info-viewer allow get.</summary>
    public bool CanRequestUrl(string verb, string path)
        => IsAdmin || (verb == "get" && SystemRoles.DiscoveryUrls.Concat(SystemRoles.PublicInfoUrls).Any(u => SystemRoles.UrlMatches(u, path)));

    /// <summary>Never print the token.</summary>
    public override string ToString() => Name;
}

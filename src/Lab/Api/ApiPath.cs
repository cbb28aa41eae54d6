namespace VmSnapshot.Lab.Api;

/// <summary>
/// A parsed resource path: /api/v1/... or /apis/{group}/{version}/..., then
/// [namespaces/{ns}/]{plural}[/{name}[/{subresource}]]. Note /api/v1/namespaces/{name} is the Namespace itself.
/// </summary>
internal sealed record ApiPath(string Group, string Version, string Plural, string? Namespace, string? Name, string? Subresource)
{
    /// <summary>Null when the path is not a resource path at all (discovery and friends are handled before).</summary>
    public static ApiPath? Parse(string path)
    {
        string[] segments = path.Trim('/').Split('/');
        string group, version;
        string[] rest;
        if (segments.Length >= 3 && segments[0] == "api") { group = ""; version = segments[1]; rest = segments[2..]; }
        else if (segments.Length >= 4 && segments[0] == "apis") { group = segments[1]; version = segments[2]; rest = segments[3..]; }
        else
        {
            return null;
        }

        if (rest.Any(s => s.Length == 0)) return null;

        if (rest[0] == "namespaces")
        {
            // namespaces | namespaces/{ns} | namespaces/{ns}/status|finalize (the Namespace object and its subresources)
            if (rest.Length == 1) return new ApiPath(group, version, "namespaces", null, null, null);
            if (rest.Length == 2 && group == "") return new ApiPath(group, version, "namespaces", null, rest[1], null);
            if (rest.Length == 3 && group == "" && rest[2] is "status" or "finalize") return new ApiPath(group, version, "namespaces", null, rest[1], rest[2]);
            if (rest.Length is >= 3 and <= 5) return new ApiPath(group, version, rest[2], rest[1], rest.ElementAtOrDefault(3), rest.ElementAtOrDefault(4));
            return null;
        }
        if (rest.Length > 3) return null;
        return new ApiPath(group, version, rest[0], null, rest.ElementAtOrDefault(1), rest.ElementAtOrDefault(2));
    }

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
}

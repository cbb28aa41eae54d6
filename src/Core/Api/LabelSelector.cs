namespace VmSnapshot.Core.Api;

/// <summary>
/// Builds equality label selectors ("app=web,tier=db") from key/value pairs. Each key and value is checked against
/// Kubernetes' label syntax first, so a value such as "web,x!=y" can never become a second requirement.
/// </summary>
public static class LabelSelector
{
    /// <summary>The selector, or null for no pairs; throws <see cref="ArgumentException"/> naming the bad pair.</summary>
    public static string? Equality(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        List<string> requirements = [];
        foreach ((string key, string value) in pairs)
        {
            if (KubeNames.LabelKeyProblem(key) is { } keyProblem)
            {
                throw new ArgumentException($"'{key}' is not a valid label key: {keyProblem}.");
            }

            if (KubeNames.LabelValueProblem(value) is { } valueProblem)
            {
                throw new ArgumentException($"'{value}' is not a valid value for label '{key}': {valueProblem}.");
            }

            requirements.Add($"{key}={value}");
        }

        return requirements.Count == 0 ? null : string.Join(",", requirements);
    }
}

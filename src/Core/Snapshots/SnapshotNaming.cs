using System.Text.RegularExpressions;

namespace VmSnapshot.Core.Snapshots;

/// <summary>Snapshot names: the console's default form, and the DNS-1123 rule the API server enforces.</summary>
public static partial class SnapshotNaming
{
    /// <summary>Kubernetes object names (DNS-1123 subdomain) are at most 253 characters.</summary>
    public const int MaxLength = 253;

    /// <summary>The OpenShift console's default: &lt;vm&gt;-snapshot-yyyyMMdd-HHmmss (local time).</summary>
    public static string Default(string vmName, DateTime now)
    {
        string suffix = $"-snapshot-{now:yyyyMMdd-HHmmss}";
        string prefix = vmName.Length + suffix.Length > MaxLength ? vmName[..(MaxLength - suffix.Length)] : vmName;
        return prefix.TrimEnd('-', '.') + suffix;
    }

    /// <summary>Returns null when <paramref name="name"/> is a valid DNS-1123 subdomain, else why it is not.</summary>
    public static string? Validate(string name)
    {
        if (name.Length == 0)
        {
            return "a name must not be empty";
        }

        if (name.Length > MaxLength)
        {
            return $"a name must be no more than {MaxLength} characters (this one has {name.Length})";
        }

        if (name.Any(char.IsAsciiLetterUpper))
        {
            return "a name must be lower case (Kubernetes names are DNS-1123 subdomains)";
        }

        return Dns1123Subdomain().IsMatch(name)
            ? null
            : "a name must consist of lower case letters, digits, '-' and '.', and must start and end with a letter or digit";
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();
}

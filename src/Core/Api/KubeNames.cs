using System.Text;
using System.Text.RegularExpressions;

namespace VmSnapshot.Core.Api;

/// <summary>
/// Kubernetes' naming rules, checked before any request. A name or namespace goes into a request path, and a real
/// kube-apiserver routes on the decoded path, so escaping alone cannot stop "vm/status" or "../" from reaching
/// another resource: only a value that is a valid name may be sent at all. The rules are apimachinery's
/// (k8s.io/apimachinery/pkg/util/validation/validation.go: IsDNS1123Subdomain, IsDNS1123Label,
/// IsQualifiedName, IsValidLabelValue).
/// </summary>
public static partial class KubeNames
{
    /// <summary>Object names (DNS-1123 subdomain) are at most 253 characters.</summary>
    public const int MaxNameLength = 253;

    /// <summary>Namespaces (DNS-1123 label) are at most 63 characters.</summary>
    public const int MaxNamespaceLength = 63;

    /// <summary>All annotations of one object, keys and values together (objectmeta.go TotalAnnotationSizeLimitB).</summary>
    public const int MaxAnnotationBytes = 256 * 1024;

    private const int MaxLabelValueLength = 63;

    /// <summary>Returns null when <paramref name="name"/> is a valid object name (DNS-1123 subdomain), else why not.</summary>
    public static string? NameProblem(string name)
    {
        if (name.Length == 0 || string.IsNullOrWhiteSpace(name))
        {
            return "a name must not be empty or blank";
        }

        if (name.Length > MaxNameLength)
        {
            return $"a name must be no more than {MaxNameLength} characters (this one has {name.Length})";
        }

        if (name.Any(char.IsAsciiLetterUpper))
        {
            return "a name must be lower case (Kubernetes names are DNS-1123 subdomains)";
        }

        return Dns1123Subdomain().IsMatch(name)
            ? null
            : "a name must consist of lower case letters, digits, '-' and '.', and must start and end with a letter or digit";
    }

    /// <summary>Returns null when <paramref name="value"/> is a valid namespace (DNS-1123 label), else why not.</summary>
    public static string? NamespaceProblem(string value)
    {
        if (value.Length == 0 || string.IsNullOrWhiteSpace(value))
        {
            return "a namespace must not be empty or blank";
        }

        if (value.Length > MaxNamespaceLength)
        {
            return $"a namespace must be no more than {MaxNamespaceLength} characters (this one has {value.Length})";
        }

        return Dns1123Label().IsMatch(value)
            ? null
            : "a namespace must consist of lower case letters, digits and '-', and must start and end with a letter or digit";
    }

    /// <summary>Returns null when <paramref name="key"/> is a valid label key ([prefix/]name), else why not.</summary>
    public static string? LabelKeyProblem(string key)
    {
        string[] parts = key.Split('/');
        if (parts.Length > 2)
        {
            return "a label key is a name with an optional DNS-subdomain prefix and one '/' (e.g. 'example.com/team')";
        }

        if (parts.Length == 2 && (parts[0].Length == 0 || NameProblem(parts[0]) is not null))
        {
            return "a label key's prefix must be a DNS subdomain (e.g. 'example.com')";
        }

        string name = parts[^1];
        return name.Length is > 0 and <= 63 && QualifiedName().IsMatch(name)
            ? null
            : "a label key's name must be 1-63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
    }

    /// <summary>
    /// Returns null when <paramref name="key"/> is a valid annotation key, else why not: the label key rule with case
    /// ignored (k8s.io/apimachinery pkg/api/validation/objectmeta.go, ValidateAnnotations).
    /// </summary>
    public static string? AnnotationKeyProblem(string key) =>
        LabelKeyProblem(key.ToLowerInvariant())?.Replace("a label key", "an annotation key", StringComparison.Ordinal);

    /// <summary>
    /// Returns null when the annotations fit the API server's limit, else why not: the sum of every key's and value's
    /// UTF-8 length is at most <see cref="MaxAnnotationBytes"/> (objectmeta.go, ValidateAnnotationsSize).
    /// </summary>
    public static string? AnnotationsSizeProblem(IEnumerable<KeyValuePair<string, string>> annotations)
    {
        long total = annotations.Sum(a => (long)Encoding.UTF8.GetByteCount(a.Key) + Encoding.UTF8.GetByteCount(a.Value));
        return total <= MaxAnnotationBytes
            ? null
            : $"an object's annotations may hold at most {MaxAnnotationBytes} bytes in all (256 KiB, keys and values together); these have {total}";
    }

    /// <summary>Returns null when <paramref name="value"/> is a valid label value (may be empty), else why not.</summary>
    public static string? LabelValueProblem(string value) =>
        value.Length == 0 || (value.Length <= MaxLabelValueLength && QualifiedName().IsMatch(value))
            ? null
            : "a label value must be at most 63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit";

    /// <summary>
    /// The last line of defence on the request path: throws <see cref="InvalidNameException"/> unless the namespace
    /// (when given) and the name (when given) are valid, so nothing else can be addressed by a crafted value.
    /// </summary>
    public static void EnsureAddressable(string? @namespace, string? name)
    {
        if (@namespace is not null && NamespaceProblem(@namespace) is { } nsProblem)
        {
            throw new InvalidNameException("namespace", @namespace, nsProblem);
        }

        if (name is not null && NameProblem(name) is { } nameProblem)
        {
            throw new InvalidNameException("name", name, nameProblem);
        }
    }

    // \z, not $: .NET's $ also matches before a final newline, Go's (the API server's) does not.
    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\z")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?\\z")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?\\z")]
    private static partial Regex QualifiedName();
}

/// <summary>A name or namespace that Kubernetes would not accept, refused before any request.</summary>
public sealed class InvalidNameException : ArgumentException
{
    public InvalidNameException(string what, string value, string problem)
        : base($"'{value}' is not a valid Kubernetes {what}: {problem}.")
    {
        What = what;
        Value = value;
    }

    /// <summary>"name" or "namespace".</summary>
    public string What { get; }

    /// <summary>The value that was refused.</summary>
    public string Value { get; }
}

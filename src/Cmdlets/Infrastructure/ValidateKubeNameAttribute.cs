using System.Management.Automation;
using VmSnapshot.Core.Api;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>What a name parameter names, for <see cref="ValidateKubeNameAttribute"/>.</summary>
public enum KubeNameKind
{
    /// <summary>An object name (DNS-1123 subdomain): VMs, snapshots, clones.</summary>
    Object,

    /// <summary>A namespace (DNS-1123 label).</summary>
    Namespace,
}

/// <summary>
/// Refuses a name Kubernetes would not accept before anything is sent: a blank value (a blank variable in a change
/// script must not look like success), "vm/status", "?x=1", "../" or an invalid wildcard pattern. Parameters that
/// support wildcards accept *, ? and [..] around otherwise valid characters, and any letter case, because name
/// filters match case-insensitively.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ValidateKubeNameAttribute : ValidateEnumeratedArgumentsAttribute
{
    /// <summary>Creates the attribute for one kind of name.</summary>
    public ValidateKubeNameAttribute(KubeNameKind kind = KubeNameKind.Object) => Kind = kind;

    /// <summary>Object name or namespace.</summary>
    public KubeNameKind Kind { get; }

    /// <summary>True for parameters with [SupportsWildcards].</summary>
    public bool AllowWildcards { get; set; }

    /// <summary>True where the command matches names case-insensitively (as Hyper-V's cmdlets do), so 'Web01' is fine.</summary>
    public bool IgnoreCase { get; set; }

    /// <inheritdoc/>
    protected override void ValidateElement(object element)
    {
        object value = element is PSObject wrapped ? wrapped.BaseObject : element;
        if (value is not string text)
        {
            return; // Other types are converted to string by the binder before this runs; nothing to check.
        }

        string? problem = Problem(text);
        if (problem is not null)
        {
            string what = Kind == KubeNameKind.Namespace ? "namespace" : "name";
            throw new ValidationMetadataException(
                $"'{text}' is not a valid Kubernetes {what}: {problem}. Give the {what} as the cluster shows it " +
                "(kubectl get shows them), e.g. 'rhel9-db'.");
        }
    }

    private string? Problem(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return $"it is empty or blank";
        }

        if (!AllowWildcards || !WildcardPattern.ContainsWildcardCharacters(text))
        {
            string literal = AllowWildcards || IgnoreCase ? text.ToLowerInvariant() : text;
            return Kind == KubeNameKind.Namespace ? KubeNames.NamespaceProblem(literal) : KubeNames.NameProblem(literal);
        }

        try
        {
            WildcardPattern.Get(text, WildcardOptions.IgnoreCase).IsMatch(string.Empty);
        }
        catch (WildcardPatternException e)
        {
            return $"it is not a valid wildcard pattern ({e.Message})";
        }

        // The characters around the wildcards must be name characters: no '/', '?x=', '%', spaces or dots-only paths.
        string stripped = new(text.Where(c => c is not ('*' or '?' or '[' or ']')).ToArray());
        return stripped.ToLowerInvariant().All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' || (c is '.' && Kind == KubeNameKind.Object))
            ? null
            : $"a name pattern may hold only letters, digits, '-'{(Kind == KubeNameKind.Object ? ", '.'" : string.Empty)} and the wildcards *, ? and [ ]";
    }
}

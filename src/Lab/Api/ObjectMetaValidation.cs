using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace VmSnapshot.Lab.Api;

/// <summary>
/// The apiserver's ObjectMeta checks, run on every write of every kind: built-in registries call ValidateObjectMeta /
/// ValidateObjectMetaUpdate, and for custom resources apiextensions-apiserver's customResourceValidator.Validate runs
/// the same ValidateObjectMetaAccessor before the schema (pkg/registry/customresource/validator.go). Mirrors
/// k8s.io/apimachinery v0.32.4, the version the lab reports (v1.32.4):
/// <list type="bullet">
/// <item>pkg/api/validation/objectmeta.go: ValidateObjectMetaAccessor (create: labels, annotations, finalizers) and
/// ValidateObjectMetaAccessorUpdate (update: labels and annotations, finalizer names are not re-checked),
/// ValidateAnnotations (keys are qualified names once lower-cased; TotalAnnotationSizeLimitB = 256 KiB summed over
/// len(key) + len(value)), ValidateFinalizers / ValidateFinalizerName;</item>
/// <item>pkg/apis/meta/v1/validation/validation.go: ValidateLabels, ValidateLabelName;</item>
/// <item>pkg/util/validation/validation.go: IsQualifiedName, IsValidLabelValue, IsDNS1123Subdomain, MaxLenError,
/// RegexError, EmptyError;</item>
/// <item>pkg/util/validation/field/errors.go: Invalid ("Invalid value: %q: detail"), TooLong ("Too long: may not be
/// more than %d bytes" in 1.32; 1.31 and older said "must have at most %d bytes").</item>
/// </list>
/// The name itself stays checked where the lab always checked it (ApiHandler.ValidateName). Owner references,
/// generation and managedFields are not checked here.
/// </summary>
internal static partial class ObjectMetaValidation
{
    /// <summary>objectmeta.go TotalAnnotationSizeLimitB.</summary>
    public const int TotalAnnotationSizeLimitB = 256 * (1 << 10);

    private const int QualifiedNameMaxLength = 63;
    private const int LabelValueMaxLength = 63;
    private const int Dns1123SubdomainMaxLength = 253;

    private const string QualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private const string QualifiedNameErrMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    private const string LabelValueFmt = "(" + QualifiedNameFmt + ")?";
    private const string LabelValueErrMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    private const string Dns1123SubdomainFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
    private const string Dns1123SubdomainErrorMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

    /// <summary>The field errors of the object's metadata, in the apiserver's order (labels, annotations, finalizers).</summary>
    public static List<Errors.Cause> Check(JsonObject obj, bool creating)
    {
        List<Errors.Cause> causes = [];
        if (obj["metadata"] is not JsonObject meta) return causes;

        // Go ranges over maps in random order; the lab reports in key order so that answers are repeatable.
        if (meta["labels"] is JsonObject labels)
        {
            foreach ((string key, JsonNode? value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
            {
                foreach (string msg in IsQualifiedName(key)) causes.Add(Invalid("metadata.labels", key, msg));
                string text = Text(value);
                foreach (string msg in IsValidLabelValue(text)) causes.Add(Invalid("metadata.labels", text, msg));
            }
        }

        if (meta["annotations"] is JsonObject annotations)
        {
            long totalSize = 0;
            foreach ((string key, JsonNode? value) in annotations.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                // "The rule is QualifiedName except that case doesn't matter, so convert to lowercase before checking."
                foreach (string msg in IsQualifiedName(key.ToLowerInvariant())) causes.Add(Invalid("metadata.annotations", key, msg));
                totalSize += Bytes(key) + Bytes(Text(value));
            }

            if (totalSize > TotalAnnotationSizeLimitB)
                causes.Add(new Errors.Cause("FieldValueTooLong", "metadata.annotations", $"Too long: may not be more than {TotalAnnotationSizeLimitB} bytes"));
        }

        if (creating && meta["finalizers"] is JsonArray finalizers)
        {
            List<string> names = finalizers.Select(Text).ToList();
            foreach (string name in names)
                foreach (string msg in IsQualifiedName(name)) causes.Add(Invalid("metadata.finalizers", name, msg));
            if (names.Contains("orphan") && names.Contains("foregroundDeletion"))
            {
                // field.Invalid with a []string bad value prints it with %#v.
                string value = "[]string{" + string.Join(", ", names.Select(GoQuote)) + "}";
                causes.Add(new Errors.Cause("FieldValueInvalid", "metadata.finalizers",
                    $"Invalid value: {value}: finalizer orphan and foregroundDeletion cannot be both set"));
            }
        }

        return causes;
    }

    /// <summary>validation.go IsQualifiedName: [prefix/]name, prefix a DNS-1123 subdomain, name at most 63.</summary>
    private static List<string> IsQualifiedName(string value)
    {
        List<string> errs = [];
        string[] parts = value.Split('/');
        string name;
        switch (parts.Length)
        {
            case 1:
                name = parts[0];
                break;
            case 2:
                string prefix = parts[0];
                name = parts[1];
                if (prefix.Length == 0) errs.Add("prefix part must be non-empty");
                else errs.AddRange(IsDns1123Subdomain(prefix).Select(m => "prefix part " + m));
                break;
            default:
                errs.Add("a qualified name " + RegexError(QualifiedNameErrMsg, QualifiedNameFmt, "MyName", "my.name", "123-abc")
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
                return errs;
        }

        if (name.Length == 0) errs.Add("name part must be non-empty");
        else if (Bytes(name) > QualifiedNameMaxLength) errs.Add("name part " + MaxLenError(QualifiedNameMaxLength));
        if (!QualifiedName().IsMatch(name)) errs.Add("name part " + RegexError(QualifiedNameErrMsg, QualifiedNameFmt, "MyName", "my.name", "123-abc"));
        return errs;
    }

    /// <summary>validation.go IsValidLabelValue.</summary>
    private static List<string> IsValidLabelValue(string value)
    {
        List<string> errs = [];
        if (Bytes(value) > LabelValueMaxLength) errs.Add(MaxLenError(LabelValueMaxLength));
        if (!LabelValue().IsMatch(value)) errs.Add(RegexError(LabelValueErrMsg, LabelValueFmt, "MyValue", "my_value", "12345"));
        return errs;
    }

    /// <summary>validation.go IsDNS1123Subdomain.</summary>
    private static List<string> IsDns1123Subdomain(string value)
    {
        List<string> errs = [];
        if (Bytes(value) > Dns1123SubdomainMaxLength) errs.Add(MaxLenError(Dns1123SubdomainMaxLength));
        if (!Dns1123Subdomain().IsMatch(value)) errs.Add(RegexError(Dns1123SubdomainErrorMsg, Dns1123SubdomainFmt, "example.com"));
        return errs;
    }

    /// <summary>validation.go MaxLenError (v0.32: "characters"; later versions say "bytes").</summary>
    private static string MaxLenError(int length) => $"must be no more than {length} characters";

    /// <summary>validation.go RegexError, including its "'a',  or 'b', " spacing.</summary>
    private static string RegexError(string msg, string fmt, params string[] examples)
    {
        if (examples.Length == 0) return msg + " (regex used for validation is '" + fmt + "')";
        StringBuilder s = new(msg);
        s.Append(" (e.g. ");
        for (int i = 0; i < examples.Length; i++)
        {
            if (i > 0) s.Append(" or ");
            s.Append('\'').Append(examples[i]).Append("', ");
        }

        return s.Append("regex used for validation is '").Append(fmt).Append("')").ToString();
    }

    /// <summary>field.Invalid for a string: "Invalid value: %q: detail".</summary>
    private static Errors.Cause Invalid(string field, string value, string detail)
        => new("FieldValueInvalid", field, $"Invalid value: {GoQuote(value)}: {detail}");

    /// <summary>Go's %q (strconv.Quote): printable characters as they are, the rest escaped.</summary>
    private static string GoQuote(string value)
    {
        StringBuilder s = new("\"");
        foreach (Rune r in value.EnumerateRunes())
        {
            switch (r.Value)
            {
                case '"': s.Append("\\\""); break;
                case '\\': s.Append("\\\\"); break;
                case '\a': s.Append("\\a"); break;
                case '\b': s.Append("\\b"); break;
                case '\f': s.Append("\\f"); break;
                case '\n': s.Append("\\n"); break;
                case '\r': s.Append("\\r"); break;
                case '\t': s.Append("\\t"); break;
                case '\v': s.Append("\\v"); break;
                default:
                    UnicodeCategory category = Rune.GetUnicodeCategory(r);
                    bool printable = category is not (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                        or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator
                        or UnicodeCategory.ParagraphSeparator) && (r.Value == ' ' || category != UnicodeCategory.SpaceSeparator);
                    if (printable) s.Append(r.ToString());
                    else if (r.Value < 0x80) s.Append(CultureInfo.InvariantCulture, $"\\x{r.Value:x2}");
                    else if (r.Value < 0x10000) s.Append(CultureInfo.InvariantCulture, $"\\u{r.Value:x4}");
                    else s.Append(CultureInfo.InvariantCulture, $"\\U{r.Value:x8}");
                    break;
            }
        }

        return s.Append('"').ToString();
    }

    /// <summary>Go's len(string): UTF-8 bytes.</summary>
    private static int Bytes(string value) => Encoding.UTF8.GetByteCount(value);

    private static string Text(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : node?.ToJsonString() ?? "";

    // \z, not $: .NET's $ also matches before a final newline, Go's does not.
    [GeneratedRegex("^" + QualifiedNameFmt + "\\z")]
    private static partial Regex QualifiedName();

    [GeneratedRegex("^" + LabelValueFmt + "\\z")]
    private static partial Regex LabelValue();

    [GeneratedRegex("^" + Dns1123SubdomainFmt + "\\z")]
    private static partial Regex Dns1123Subdomain();
}

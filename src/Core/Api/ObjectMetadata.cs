namespace VmSnapshot.Core.Api;

/// <summary>Which part of an object's metadata a <see cref="MetadataProblem"/> is about.</summary>
public enum MetadataField
{
    /// <summary>A label key or value.</summary>
    Label,

    /// <summary>An annotation key.</summary>
    Annotation,

    /// <summary>The annotations' total size.</summary>
    AnnotationSize,
}

/// <summary>Labels or annotations the API server would refuse: which part, the offending value, and why.</summary>
public sealed record MetadataProblem(MetadataField Field, string Value, string Message);

/// <summary>
/// The API server's checks on an object's labels and annotations (k8s.io/apimachinery pkg/api/validation/objectmeta.go
/// ValidateObjectMetaAccessor: ValidateLabels, ValidateAnnotations), run before anything is sent so that an object
/// that would be refused is never half-made: the rules themselves are <see cref="KubeNames"/>'.
/// </summary>
public static class ObjectMetadata
{
    private const int ShownLength = 60;

    /// <summary>The first thing the API server would refuse in these labels and annotations, or null.</summary>
    public static MetadataProblem? Problem(IEnumerable<KeyValuePair<string, string>> labels, IEnumerable<KeyValuePair<string, string>> annotations)
    {
        foreach ((string key, string value) in labels)
        {
            if (KubeNames.LabelKeyProblem(key) is { } keyProblem)
            {
                return new MetadataProblem(MetadataField.Label, key, $"'{Shorten(key)}' is not a valid label key: {keyProblem}");
            }

            if (KubeNames.LabelValueProblem(value) is { } valueProblem)
            {
                return new MetadataProblem(MetadataField.Label, value, $"'{Shorten(value)}' is not a valid value for label '{Shorten(key)}': {valueProblem}");
            }
        }

        List<KeyValuePair<string, string>> all = annotations.ToList();
        foreach ((string key, _) in all)
        {
            if (KubeNames.AnnotationKeyProblem(key) is { } keyProblem)
            {
                return new MetadataProblem(MetadataField.Annotation, key, $"'{Shorten(key)}' is not a valid annotation key: {keyProblem}");
            }
        }

        // Every create adds its request id (CustomResources.CreateAsync): it counts toward the server's limit too.
        List<KeyValuePair<string, string>> sent = [.. all, KeyValuePair.Create(CustomResources.RequestIdAnnotation, Guid.Empty.ToString("N"))];
        if (KubeNames.AnnotationsSizeProblem(sent) is { } sizeProblem)
        {
            // The largest value is what to shorten (in practice a description).
            KeyValuePair<string, string> largest = all.MaxBy(a => a.Value.Length);
            return new MetadataProblem(MetadataField.AnnotationSize, largest.Value, $"the '{largest.Key}' annotation is too large: {sizeProblem}");
        }

        return null;
    }

    /// <summary>A value short enough to show in a message or as an error's target.</summary>
    public static string Shorten(string value) =>
        value.Length <= ShownLength ? value : $"{value[..ShownLength]}... ({value.Length} characters)";
}

namespace VmSnapshot;

/// <summary>
/// Kubernetes labels (key to value, keys compared ordinally). A dictionary for scripts (<c>$s.Labels['app']</c>) and an
/// object for ConvertTo-Json, whose <see cref="ToString"/> reads "key=value, key=value" (sorted by key) so Export-Csv
/// shows the labels instead of a type name.
/// </summary>
public sealed class LabelDictionary : Dictionary<string, string>
{
    /// <summary>An empty set of labels.</summary>
    public LabelDictionary()
        : base(StringComparer.Ordinal)
    {
    }

    /// <summary>A copy of <paramref name="labels"/>.</summary>
    public LabelDictionary(IDictionary<string, string> labels)
        : base(labels, StringComparer.Ordinal)
    {
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Join(", ", this.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
}

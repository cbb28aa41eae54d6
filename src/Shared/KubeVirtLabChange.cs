namespace VmSnapshot;

/// <summary>How an object in a lab changed after a checkpoint.</summary>
public enum LabChangeKind
{
    /// <summary>The object is new since the checkpoint.</summary>
    Created,

    /// <summary>The same object (same uid) changed; ChangedPaths says where.</summary>
    Updated,

    /// <summary>The object is gone, or was replaced by a new object of the same name (which is reported as Created).</summary>
    Deleted,

    /// <summary>The object was created after the checkpoint and is already gone again.</summary>
    CreatedAndDeleted,
}

/// <summary>One object a lab saw created, updated or deleted after a checkpoint (Get-KubeVirtLabChange).</summary>
public sealed class KubeVirtLabChange
{
    internal KubeVirtLabChange(LabChangeKind change, string kind, string apiVersion, string? @namespace, string name,
        string uid, string[] changedPaths)
    {
        Change = change;
        Kind = kind;
        ApiVersion = apiVersion;
        Namespace = @namespace;
        Name = name;
        Uid = uid;
        ChangedPaths = changedPaths;
    }

    /// <summary>Created, Updated, Deleted or CreatedAndDeleted.</summary>
    public LabChangeKind Change { get; }

    /// <summary>The object's kind, e.g. PersistentVolumeClaim.</summary>
    public string Kind { get; }

    /// <summary>The object's apiVersion, e.g. snapshot.kubevirt.io/v1beta1.</summary>
    public string ApiVersion { get; }

    /// <summary>The namespace; empty for cluster-scoped objects.</summary>
    public string? Namespace { get; }

    /// <summary>The object's name.</summary>
    public string Name { get; }

    /// <summary>The object's uid (for Deleted, the uid of the object that is gone).</summary>
    public string Uid { get; }

    /// <summary>For Updated: the dotted JSON paths that differ (metadata.resourceVersion and managedFields never count).</summary>
    public ValueList<string> ChangedPaths { get; }

    /// <inheritdoc/>
    public override string ToString() => Namespace is null
        ? $"{Change} {Kind} {Name}"
        : $"{Change} {Kind} {Namespace}/{Name}";
}

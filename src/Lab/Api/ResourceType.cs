namespace VmSnapshot.Lab.Api;

/// <summary>A column of a meta.k8s.io Table: a JSONPath (CRD additionalPrinterColumns) or a computed cell.</summary>
public sealed record PrinterColumn(string Name, string Type, string? JsonPath, int Priority = 0, string Description = "", string Format = "")
{
    /// <summary>For built-in kinds whose server printer computes the cell (PVC access modes, StorageClass "(default)").</summary>
    internal Func<System.Text.Json.Nodes.JsonObject, object?>? Compute { get; init; }

    /// <summary>The Age column every kind's printer ends with (or starts with, for some CRDs).</summary>
    public static readonly PrinterColumn Age = new("Age", "date", ".metadata.creationTimestamp");
}

/// <summary>
/// Everything the lab knows about one kind of resource: what discovery advertises, how the generic store
/// treats it (status subresource, generation) and how a Table of it looks.
/// </summary>
public sealed class ResourceType
{
    public required string Group { get; init; }
    /// <summary>Served versions, preferred (= storage) first. All share one schema, so conversion only rewrites apiVersion.</summary>
    public required string[] Versions { get; init; }
    /// <summary>
    /// Served versions marked deprecated, with their warning: every request to one gets it as a "Warning: 299" header,
    /// as apiextensions-apiserver's crdHandler does for a CRD version with deprecated: true.
    /// </summary>
    public IReadOnlyDictionary<string, string> DeprecatedVersions { get; init; } = new Dictionary<string, string>();
    public required string Kind { get; init; }
    public required string Plural { get; init; }
    public required string Singular { get; init; }
    public string[] ShortNames { get; init; } = [];
    public string[] Categories { get; init; } = [];
    public bool Namespaced { get; init; } = true;
    public bool HasStatus { get; init; } = true;
    /// <summary>Custom resources: no unconditional PUT, 415 for strategic merge, DELETE answers a Status.</summary>
    public bool IsCustomResource { get; init; } = true;
    /// <summary>Whether metadata.generation is maintained (CRDs do; namespaces, PVCs, events do not).</summary>
    public bool HasGeneration { get; init; } = true;
    /// <summary>Built-in registries such as PVC and Namespace answer DELETE with the object, not a Status.</summary>
    public bool ReturnDeletedObject { get; init; }
    public string[] Verbs { get; init; } = ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"];
    /// <summary>Top-level fields besides apiVersion/kind/metadata; used by fieldValidation=Strict.</summary>
    public string[] TopLevelFields { get; init; } = ["spec", "status"];
    /// <summary>Field selector labels besides metadata.name/metadata.namespace, with their JSONPath.</summary>
    public Dictionary<string, string> ExtraFieldSelectors { get; init; } = new();
    public PrinterColumn[] Columns { get; init; } = [];
    /// <summary>When the server printer decorates the name cell (StorageClass: "fast (default)").</summary>
    internal Func<System.Text.Json.Nodes.JsonObject, string>? NameCell { get; init; }
    /// <summary>
    /// Connect subresources besides status, with their discovery verbs (pods/log, pods/exec, ...): the apiserver answers
    /// them by proxying to the node's kubelet (Api/ApiHandler.NodeProxy.cs), never from the store.
    /// </summary>
    public IReadOnlyDictionary<string, string[]> ConnectSubresources { get; init; } = new Dictionary<string, string[]>();
    /// <summary>Only create is served (SelfSubjectAccessReview); nothing is stored.</summary>
    public bool CreateOnly { get; init; }
    /// <summary>
    /// The embedded CRD YAML (file name under src/Lab/Schemas) whose openAPIV3Schema validates writes and feeds
    /// /openapi/v3, as apiextensions-apiserver does for a CRD with a structural schema; null when the lab has none.
    /// </summary>
    public string? SchemaFile { get; init; }

    public string StorageVersion => Versions[0];
    /// <summary>The kind discovery names for a connect subresource: pods/log streams a Pod; exec, attach, portforward take their options kinds.</summary>
    public string ConnectKind(string subresource) => subresource switch
    {
        "exec" => Kind + "ExecOptions",
        "attach" => Kind + "AttachOptions",
        "portforward" => Kind + "PortForwardOptions",
        _ => Kind,
    };
    public string ApiVersionFor(string version) => Group.Length == 0 ? version : $"{Group}/{version}";
    public string StorageApiVersion => ApiVersionFor(StorageVersion);
    public string ListKind => Kind + "List";

    /// <summary>"storageclasses.storage.k8s.io", or just "persistentvolumeclaims" for the core group: the apiserver's qualified resource.</summary>
    public string QualifiedResource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    /// <summary>"StorageClass.storage.k8s.io": how Invalid messages name the kind.</summary>
    public string QualifiedKind => Group.Length == 0 ? Kind : $"{Kind}.{Group}";

    public override string ToString() => QualifiedResource;
}

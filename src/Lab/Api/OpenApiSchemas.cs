using System.Text.Json.Nodes;
using VmSnapshot.Lab.Schemas;

namespace VmSnapshot.Lab.Api;

/// <summary>
/// components.schemas of an /openapi/v3 group-version document, so kubectl explain finds a kind by its
/// x-kubernetes-group-version-kind and walks its properties. Custom resources with a schema in src/Lab/Schemas are
/// published as the apiextensions-apiserver publishes a CRD (k8s.io/apiextensions-apiserver
/// pkg/controller/openapi/builder/builder.go): named after the reversed group ("io.k8s.storage.snapshot.v1.
/// VolumeSnapshot"), metadata as an allOf reference to ObjectMeta. Other kinds get a minimal schema:
/// apiVersion, kind, metadata and open spec/status objects.
/// </summary>
internal static class OpenApiSchemas
{
    private const string ObjectMetaName = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
    private const string ObjectMetaDescription = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
    private const string ApiVersionDescription = "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources";
    private const string KindDescription = "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds";

    /// <summary>The schemas of the given kinds (one group-version) plus ObjectMeta, which they reference.</summary>
    public static JsonObject For(IEnumerable<ResourceType> types, string version)
    {
        JsonObject schemas = new();
        foreach (ResourceType? t in types.Where(t => !t.CreateOnly))
            schemas[Name(t, version)] = Schema(t, version);
        schemas[ObjectMetaName] = ObjectMeta();
        return schemas;
    }

    /// <summary>The definition name: built-ins under io.k8s.api (core, storage), custom resources by reversed group.</summary>
    public static string Name(ResourceType t, string version)
    {
        if (!t.IsCustomResource)
        {
            string package = t.Group.Length == 0 ? "core" : t.Group.Split('.')[0];
            return $"io.k8s.api.{package}.{version}.{t.Kind}";
        }
        return string.Join('.', Enumerable.Reverse(t.Group.Split('.'))) + $".{version}.{t.Kind}";
    }

    private static JsonObject Schema(ResourceType t, string version)
    {
        JsonArray gvk = new(new JsonObject { ["group"] = t.Group, ["kind"] = t.Kind, ["version"] = version });
        if (SchemaCatalog.For(t) is { } crd)
        {
            JsonObject schema = crd.DeepClone().AsObject();
            JsonObject properties = schema["properties"] as JsonObject ?? [];
            schema["properties"] = properties;
            properties["metadata"] = MetadataRef();
            schema["x-kubernetes-group-version-kind"] = gvk;
            return schema;
        }

        JsonObject props = new()
        {
            ["apiVersion"] = new JsonObject { ["description"] = ApiVersionDescription, ["type"] = "string" },
            ["kind"] = new JsonObject { ["description"] = KindDescription, ["type"] = "string" },
            ["metadata"] = MetadataRef(),
        };
        foreach (string field in t.TopLevelFields)
            props[field] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };
        return new JsonObject
        {
            ["description"] = $"{t.Kind} ({t.QualifiedResource}). The lab publishes no field schema for this kind.",
            ["type"] = "object",
            ["properties"] = props,
            ["x-kubernetes-group-version-kind"] = gvk,
        };
    }

    private static JsonObject MetadataRef() => new()
    {
        ["allOf"] = new JsonArray(new JsonObject { ["$ref"] = $"#/components/schemas/{ObjectMetaName}" }),
        ["default"] = new JsonObject(),
        ["description"] = ObjectMetaDescription,
    };

    /// <summary>ObjectMeta with its fields (first sentences of the k8s.io/apimachinery meta/v1 descriptions).</summary>
    private static JsonObject ObjectMeta()
    {
        static JsonObject Str(string description) => new() { ["description"] = description, ["type"] = "string" };
        static JsonObject Map(string description) => new()
        {
            ["description"] = description, ["type"] = "object",
            ["additionalProperties"] = new JsonObject { ["default"] = "", ["type"] = "string" },
        };
        static JsonObject Time(string description) => new() { ["description"] = description, ["type"] = "string", ["format"] = "date-time" };
        return new JsonObject
        {
            ["description"] = "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["annotations"] = Map("Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata. They are not queryable and should be preserved when modifying objects. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations"),
                ["creationTimestamp"] = Time("CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC."),
                ["deletionGracePeriodSeconds"] = new JsonObject { ["description"] = "Number of seconds allowed for this object to gracefully terminate before it will be removed from the system. Only set when deletionTimestamp is also set. May only be shortened. Read-only.", ["type"] = "integer", ["format"] = "int64" },
                ["deletionTimestamp"] = Time("DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted. This field is set by the server when a graceful deletion is requested by the user, and is not directly settable by a client."),
                ["finalizers"] = new JsonObject
                {
                    ["description"] = "Must be empty before the object is deleted from the registry. Each entry is an identifier for the responsible component that will remove the entry from the list.",
                    ["type"] = "array", ["items"] = new JsonObject { ["default"] = "", ["type"] = "string" },
                    ["x-kubernetes-list-type"] = "set", ["x-kubernetes-patch-strategy"] = "merge",
                },
                ["generateName"] = Str("GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided."),
                ["generation"] = new JsonObject { ["description"] = "A sequence number representing a specific generation of the desired state. Populated by the system. Read-only.", ["type"] = "integer", ["format"] = "int64" },
                ["labels"] = Map("Map of string keys and values that can be used to organize and categorize (scope and select) objects. May match selectors of replication controllers and services. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels"),
                ["managedFields"] = new JsonObject
                {
                    ["description"] = "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow. This is mostly for internal housekeeping, and users typically shouldn't need to set or understand this field.",
                    ["type"] = "array", ["items"] = new JsonObject { ["type"] = "object" }, ["x-kubernetes-list-type"] = "atomic",
                },
                ["name"] = Str("Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"),
                ["namespace"] = Str("Namespace defines the space within which each name must be unique. An empty namespace is equivalent to the \"default\" namespace, but \"default\" is the canonical representation. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces"),
                ["ownerReferences"] = new JsonObject
                {
                    ["description"] = "List of objects depended by this object. If ALL objects in the list have been deleted, this object will be garbage collected.",
                    ["type"] = "array", ["items"] = new JsonObject { ["type"] = "object" },
                    ["x-kubernetes-list-map-keys"] = new JsonArray("uid"), ["x-kubernetes-list-type"] = "map",
                    ["x-kubernetes-patch-merge-key"] = "uid", ["x-kubernetes-patch-strategy"] = "merge",
                },
                ["resourceVersion"] = Str("An opaque value that represents the internal version of this object that can be used by clients to determine when objects have changed. Populated by the system. Read-only."),
                ["selfLink"] = Str("Deprecated: selfLink is a legacy read-only field that is no longer populated by the system."),
                ["uid"] = Str("UID is the unique in time and space value for this object. It is typically generated by the server on successful creation of a resource and is not allowed to change on PUT operations. Populated by the system. Read-only. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids"),
            },
        };
    }
}

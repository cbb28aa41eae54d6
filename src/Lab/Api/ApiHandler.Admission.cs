using System.Text.Json.Nodes;
using VmSnapshot.Lab.Schemas;

namespace VmSnapshot.Lab.Api;

internal sealed partial class ApiHandler
{
    /// <summary>
    /// What the apiserver does to an object before it is stored: prune fields the schema does not declare
    /// (fieldValidation=Strict refuses them, Warn - the default - reports them in Warning headers, Ignore drops
    /// them silently), apply schema defaults, and refuse metadata (<see cref="ObjectMetaValidation"/>) and schema
    /// violations with 422 Invalid. Every create, update and patch passes through here; <paramref name="creating"/>
    /// picks the create rules (ValidateObjectMetaAccessor) over the update rules (ValidateObjectMetaAccessorUpdate).
    /// </summary>
    private static void Admit(RequestContext ctx, ResourceType type, string name, JsonObject obj, string version, bool creating)
    {
        JsonObject? schema = SchemaCatalog.For(type);
        List<string> unknown;
        // Metadata errors come first, as in customResourceValidator.Validate and the built-in strategies' Validate.
        List<Errors.Cause> errors = ObjectMetaValidation.Check(obj, creating);
        if (creating && !type.IsCustomResource && type.Plural == "pods") errors.AddRange(PodPrinter.ValidateContainers(obj));
        if (schema != null)
        {
            SchemaValidator result = SchemaValidator.Run(obj, schema);
            unknown = result.Unknown;
            errors.AddRange(result.Errors);
        }
        else
        {
            unknown = BodyDecoder.UnknownFields(obj, type);
        }
        // Unknown metadata fields are dropped by the decoder for every kind.
        foreach (string? field in BodyDecoder.UnknownFields(obj, type).Where(f => f.StartsWith("metadata.", StringComparison.Ordinal)))
            if (!unknown.Contains(field)) unknown.Add(field);
        foreach (string field in unknown)
        {
            if (field.StartsWith("metadata.", StringComparison.Ordinal)) ((JsonObject)obj["metadata"]!).Remove(field["metadata.".Length..]);
            else if (!field.Contains('.')) obj.Remove(field);
        }

        if (unknown.Count > 0)
        {
            string mode = ctx.Query["fieldValidation"] ?? "Warn";
            List<string> list = unknown.Select(u => $"unknown field \"{u}\"").ToList();
            if (mode == "Strict")
                throw Errors.BadRequest($"{type.Kind} in version \"{version}\" cannot be handled as a {type.Kind}: strict decoding error: {string.Join(", ", list)}");
            if (mode == "Warn") ctx.Warnings.AddRange(list);
        }
        if (errors.Count > 0) throw Errors.Invalid(type, name, errors.ToArray());
    }
}

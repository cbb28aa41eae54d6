using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using VmSnapshot.Lab.Json;
using VmSnapshot.Lab.Store;

namespace VmSnapshot.Lab.Api;

internal sealed partial class ApiHandler
{
    private static readonly Regex s_rfc1123Subdomain = new(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.Compiled);

    private async Task CreateAsync(RequestContext ctx, ResourceType type, ApiPath p)
    {
        JsonObject obj = BodyDecoder.DecodeObject(ctx, type);
        WriteResult result = CreateObject(ctx, type, p, obj);
        await SendObjectAsync(ctx, 201, result.Object!, p.Version);
    }

    /// <summary>The create rules shared by POST and by a server-side apply that creates.</summary>
    private WriteResult CreateObject(RequestContext ctx, ResourceType type, ApiPath p, JsonObject obj, string? nameFromPath = null)
    {
        JsonObject meta = JsonUtil.Obj(obj, "metadata");
        string? bodyNs = JsonUtil.Str(meta["namespace"]);
        if (type.Namespaced && !string.IsNullOrEmpty(bodyNs) && bodyNs != p.Namespace)
            throw Errors.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        if (!string.IsNullOrEmpty(JsonUtil.Str(meta["resourceVersion"])))
            throw Errors.BadRequest("resourceVersion should not be set on objects to be created");
        string? name = nameFromPath ?? JsonUtil.Str(meta["name"]);
        if (string.IsNullOrEmpty(name))
        {
            string? generateName = JsonUtil.Str(meta["generateName"]);
            if (string.IsNullOrEmpty(generateName))
                throw Errors.Invalid(type, "", new Errors.Cause("FieldValueRequired", "metadata.name", "Required value: name or generateName is required"));
            name = generateName + RandomSuffix();
        }
        ValidateName(type, name);
        if (type.HasStatus) obj.Remove("status"); // the status subresource: create ignores status
        ApplyBuiltInCreateDefaults(type, name, obj);
        Admit(ctx, type, name, obj, p.Version, creating: true);
        ManagedFields.RecordUpdate(null, obj, Manager(ctx), type.ApiVersionFor(p.Version));
        return store.Write(type, p.Namespace, name, current => current == null ? obj : throw Errors.AlreadyExists(type, name),
            new LabStore.WriteOptions { DryRun = ctx.DryRun, Admit = true });
    }

    /// <summary>What the built-in registries' PrepareForCreate sets: an Active namespace, a Pending claim.</summary>
    private static void ApplyBuiltInCreateDefaults(ResourceType type, string name, JsonObject obj)
    {
        if (type.IsCustomResource) return;
        switch (type.Plural)
        {
            case "namespaces":
                JsonUtil.Obj(JsonUtil.Obj(obj, "metadata"), "labels")["kubernetes.io/metadata.name"] = name;
                JsonUtil.Obj(obj, "spec")["finalizers"] = new JsonArray("kubernetes");
                obj["status"] = new JsonObject { ["phase"] = "Active" };
                break;
            case "persistentvolumeclaims":
                obj["status"] = new JsonObject { ["phase"] = "Pending" };
                break;
            case "pods":
                obj["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = PodPrinter.QosClass(obj) };
                break;
        }
    }

    private static void ValidateName(ResourceType type, string name)
    {
        if (name.Length > 253 || !s_rfc1123Subdomain.IsMatch(name))
        {
            throw Errors.Invalid(type, name, new Errors.Cause("FieldValueInvalid", "metadata.name",
                $"Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
        }
    }

    /// <summary>generateName suffix: 5 characters from the apiserver's alphabet (no vowels, no look-alikes).</summary>
    internal static string RandomSuffix()
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Concat(Enumerable.Range(0, 5).Select(_ => alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)]));
    }

    private async Task UpdateAsync(RequestContext ctx, ResourceType type, ApiPath p)
    {
        JsonObject obj = BodyDecoder.DecodeObject(ctx, type);
        JsonObject meta = JsonUtil.Obj(obj, "metadata");
        string? bodyName = JsonUtil.Str(meta["name"]);
        if (bodyName != p.Name)
            throw Errors.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({p.Name})");
        string? bodyNs = JsonUtil.Str(meta["namespace"]);
        if (type.Namespaced && !string.IsNullOrEmpty(bodyNs) && bodyNs != p.Namespace)
            throw Errors.BadRequest("the namespace of the provided object does not match the namespace sent on the request");

        WriteResult result = store.Write(type, p.Namespace, p.Name!, current =>
        {
            if (current == null) throw Errors.NotFound(type, p.Name!);
            string? rv = JsonUtil.Str(meta["resourceVersion"]);
            if (string.IsNullOrEmpty(rv))
            {
                // Custom resources allow no unconditional update.
                if (type.IsCustomResource)
                    throw Errors.Invalid(type, p.Name!, new Errors.Cause("FieldValueInvalid", "metadata.resourceVersion", "Invalid value: 0x0: must be specified for an update"));
            }
            else if (rv != current.ResourceVersion.ToString())
            {
                throw Errors.Conflict(type, p.Name!);
            }

            JsonObject desired = SplitStatus(type, p, current, obj);
            Admit(ctx, type, p.Name!, desired, p.Version, creating: false);
            if (p.Subresource == null) ManagedFields.RecordUpdate(current.ToJson(), desired, Manager(ctx), type.ApiVersionFor(p.Version));
            return desired;
        }, new LabStore.WriteOptions { DryRun = ctx.DryRun, Admit = p.Subresource == null });
        await SendObjectAsync(ctx, 200, LiveVersionIfDryRun(ctx.DryRun, result), p.Version);
    }

    /// <summary>
    /// A dry-run update answers the object as it would be, at the live resourceVersion: the dry-run storage
    /// (k8s.io/apiserver pkg/registry/generic/registry/dryrun.go, DryRunnableStorage.GuaranteedUpdate) runs the
    /// update on the current object and copies the result out without writing, so no new version is assigned.
    /// kubectl diff would otherwise show a resourceVersion change on every diff.
    /// </summary>
    private static StoredObject LiveVersionIfDryRun(bool dryRun, WriteResult result)
        => dryRun && result.Previous != null && result.Object != null && result.Object.ResourceVersion != result.Previous.ResourceVersion
            ? WithResourceVersion(result.Object, result.Previous.ResourceVersion)
            : result.Object!;

    /// <summary>The field manager of a non-apply write: ?fieldManager=, else the User-Agent's product name.</summary>
    private static string Manager(RequestContext ctx) => ManagedFields.DefaultManager(ctx.Request.Header("User-Agent"), ctx.Query["fieldManager"]);

    /// <summary>
    /// The status subresource split: writes to the main resource keep the stored status; writes to /status
    /// keep everything but status (labels and annotations included).
    /// </summary>
    private static JsonObject SplitStatus(ResourceType type, ApiPath p, StoredObject current, JsonObject desired)
    {
        if (!type.HasStatus) return desired;
        JsonObject stored = current.ToJson();
        if (p.Subresource == "status")
        {
            JsonNode? newStatus = desired["status"]?.DeepClone();
            stored.Remove("status");
            if (newStatus != null) stored["status"] = newStatus;
            stored["metadata"]!["resourceVersion"] = desired["metadata"]?["resourceVersion"]?.DeepClone();
            return stored;
        }
        desired.Remove("status");
        if (stored["status"] is { } status) desired["status"] = status.DeepClone();
        return desired;
    }

    private async Task PatchAsync(RequestContext ctx, ResourceType type, ApiPath p)
    {
        string media = ctx.Request.MediaType;
        bool isApply = media == "application/apply-patch+yaml";
        switch (media)
        {
            case "application/merge-patch+json" or "application/json-patch+json" or "application/apply-patch+yaml":
                break;
            case "application/strategic-merge-patch+json" when PatchStrategies.For(type) != null:
                break; // built-ins: lists merge by their patch strategy
            case "application/strategic-merge-patch+json":
                throw Errors.UnsupportedPatch(); // custom resources have no strategy: 415, as the apiserver answers
            default:
                throw Errors.UnsupportedPatch();
        }
        string? fieldManager = ctx.Query["fieldManager"];
        if (isApply && string.IsNullOrEmpty(fieldManager))
        {
            throw Errors.Invalid("PatchOptions.meta.k8s.io", "meta.k8s.io", "PatchOptions", "",
                new Errors.Cause("FieldValueRequired", "fieldManager", "Required value: is required for apply patch"));
        }

        JsonNode? patch = null;
        JsonArray? operations = null;
        try
        {
            if (media == "application/json-patch+json") operations = JsonPatch.ParseOperations(ctx.Request.Body);
            else if (isApply) patch = ParseApplyBody(ctx.Request);
            else patch = JsonNode.Parse(ctx.Request.Body);
        }
        catch (JsonException ex) { throw Errors.BadRequest(JsonUtil.GoParseError(ctx.Request.Body, ex)); }
        catch (PatchException ex) { throw Errors.BadRequest(ex.Message); }
        if (isApply)
        {
            if (patch is not JsonObject applied) throw Errors.BadRequest("error decoding YAML: json: cannot unmarshal " + JsonUtil.Describe(patch) + " into Go value of type map[string]interface {}");
            BodyDecoder.CheckKind(applied, type, ctx);
        }

        bool created = false;
        WriteResult result = store.Write(type, p.Namespace, p.Name!, current =>
        {
            if (current == null)
            {
                if (!isApply || p.Subresource != null) throw Errors.NotFound(type, p.Name!);
                created = true;
                JsonObject config = ((JsonObject)patch!).DeepClone().AsObject();
                if (type.HasStatus) config.Remove("status");
                JsonObject fresh = ManagedFields.Apply(null, config, fieldManager!, force: true, type.ApiVersionFor(p.Version));
                JsonObject meta = JsonUtil.Obj(fresh, "metadata");
                string? bodyName = JsonUtil.Str(meta["name"]);
                if (bodyName != null && bodyName != p.Name)
                    throw Errors.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({p.Name})");
                ValidateName(type, p.Name!);
                meta.Remove("resourceVersion");
                Admit(ctx, type, p.Name!, fresh, p.Version, creating: true);
                return fresh;
            }
            JsonObject original = current.ToJson();
            JsonNode? patched;
            try
            {
                patched = operations != null ? JsonPatch.Apply(original, operations)
                    : isApply && p.Subresource == null ? ManagedFields.Apply(original, ((JsonObject)patch!).DeepClone().AsObject(), fieldManager!, ctx.Query.Bool("force") == true, type.ApiVersionFor(p.Version))
                    : media == "application/strategic-merge-patch+json" ? StrategicPatch(original, patch, type)
                    : MergePatch.Apply(original, patch);
            }
            catch (PatchException ex) when (ex.InvalidPatch) { throw Errors.BadRequest(ex.Message); }
            catch (PatchException ex)
            {
                throw Errors.Invalid("", "", "", "", new Errors.Cause("FieldValueInvalid", "patch", $"Invalid value: \"{ctx.Request.BodyText}\": {ex.Message}"));
            }
            if (patched is not JsonObject result)
                throw Errors.BadRequest($"json: cannot unmarshal {JsonUtil.Describe(patched)} into Go value of type map[string]interface {{}}");
            JsonObject meta2 = JsonUtil.Obj(result, "metadata");
            if (JsonUtil.Str(meta2["name"]) != p.Name)
                throw Errors.BadRequest($"the name of the object ({JsonUtil.Str(meta2["name"])}) does not match the name on the URL ({p.Name})");
            // A resourceVersion in the patch is a precondition.
            string? rv = JsonUtil.Str(meta2["resourceVersion"]);
            if (!string.IsNullOrEmpty(rv) && rv != current.ResourceVersion.ToString()) throw Errors.Conflict(type, p.Name!);
            meta2["resourceVersion"] = current.ResourceVersion.ToString();
            JsonObject desired = SplitStatus(type, p, current, result);
            Admit(ctx, type, p.Name!, desired, p.Version, creating: false);
            if (!isApply && p.Subresource == null) ManagedFields.RecordUpdate(original, desired, Manager(ctx), type.ApiVersionFor(p.Version));
            return desired;
        }, new LabStore.WriteOptions { DryRun = ctx.DryRun, Admit = p.Subresource == null });
        await SendObjectAsync(ctx, created ? 201 : 200, LiveVersionIfDryRun(ctx.DryRun, result), p.Version);
    }

    private static JsonNode StrategicPatch(JsonObject original, JsonNode? patch, ResourceType type)
    {
        if (patch is not JsonObject map) throw new PatchException($"json: cannot unmarshal {JsonUtil.Describe(patch)} into Go value of type map[string]interface {{}}", true);
        return StrategicMergePatch.Apply(original, map, PatchStrategies.For(type)!);
    }

    private static JsonNode? ParseApplyBody(Http.HttpRequest request)
    {
        // kubectl and the C# client send JSON; the real server also takes YAML, and JSON is YAML.
        try { return JsonNode.Parse(request.Body); }
        catch (JsonException)
        {
            try { return YamlToJson.ParseAll(request.BodyText).FirstOrDefault(); }
            catch (YamlDotNet.Core.YamlException ex) { throw Errors.BadRequest($"error decoding YAML: {ex.Message}"); }
        }
    }

    private async Task DeleteAsync(RequestContext ctx, ResourceType type, ApiPath p)
    {
        DeleteRequest request = ReadDeleteOptions(ctx, type);
        WriteResult result = store.Delete(type, p.Namespace, p.Name!, request);
        StoredObject obj = (result.Object != null ? LiveVersionIfDryRun(request.DryRun && result.Kind == ChangeKind.Updated, result) : null)
            ?? store.Find(type, p.Namespace, p.Name!) ?? throw Errors.NotFound(type, p.Name!);
        if (result.Kind == ChangeKind.Deleted && !type.ReturnDeletedObject)
        {
            // Custom resources answer an immediate delete with a Success Status naming the resource.
            JsonObject details = new() { ["name"] = obj.Name };
            if (type.Group.Length > 0) details["group"] = type.Group;
            details["kind"] = type.Plural;
            details["uid"] = obj.Uid;
            await SendJsonAsync(ctx.Response, 200, new JsonObject
            {
                ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success", ["details"] = details,
            }, ctx.Cancellation);
            return;
        }
        if (type.Plural == "namespaces" && result.Kind == ChangeKind.Deleted)
        {
            JsonObject ns = AsVersion(obj, p.Version);
            JsonUtil.Obj(ns, "status")["phase"] = "Terminating";
            JsonUtil.Obj(ns, "metadata")["deletionTimestamp"] = JsonUtil.Now();
            await SendJsonAsync(ctx.Response, 200, ns, ctx.Cancellation);
            return;
        }
        await SendObjectAsync(ctx, 200, obj, p.Version);
    }

    /// <summary>DeleteOptions from the JSON body (kubectl) and from the query (C# client, curl).</summary>
    private static DeleteRequest ReadDeleteOptions(RequestContext ctx, ResourceType type)
    {
        JsonObject? body = null;
        if (ctx.Request.Body.Length > 0)
        {
            try { body = JsonNode.Parse(ctx.Request.Body) as JsonObject; }
            catch (JsonException ex) { throw Errors.BadRequest(JsonUtil.GoParseError(ctx.Request.Body, ex)); }
        }
        string? policy = JsonUtil.Str(body?["propagationPolicy"]) ?? ctx.Query["propagationPolicy"];
        bool orphan = body?["orphanDependents"]?.GetValueKind() == JsonValueKind.True || ctx.Query.Bool("orphanDependents") == true;
        if (policy == null && orphan) policy = "Orphan";
        if (policy != null && policy is not ("Foreground" or "Background" or "Orphan"))
        {
            throw Errors.Invalid("DeleteOptions.meta.k8s.io", "meta.k8s.io", "DeleteOptions", "",
                new Errors.Cause("FieldValueNotSupported", "propagationPolicy", $"Unsupported value: \"{policy}\": supported values: \"Foreground\", \"Background\", \"Orphan\""));
        }

        bool dryRun = ctx.DryRun || (body?["dryRun"] is JsonArray d && d.Any(x => x?.ToString() == "All"));
        return new DeleteRequest(policy, JsonUtil.Str(body?["preconditions"]?["uid"]), JsonUtil.Str(body?["preconditions"]?["resourceVersion"]), dryRun);
    }

    private async Task DeleteCollectionAsync(RequestContext ctx, ResourceType type, ApiPath p)
    {
        LabelSelector labels = LabelSelector.Parse(ctx.Query["labelSelector"]);
        FieldSelector fields = FieldSelector.Parse(ctx.Query["fieldSelector"], type);
        DeleteRequest request = ReadDeleteOptions(ctx, type);
        System.Collections.Immutable.ImmutableSortedDictionary<string, StoredObject> snapshot = store.Snapshot(type, out _);
        JsonArray deleted = new();
        foreach (StoredObject o in snapshot.Values)
        {
            if (p.Namespace != null && o.Namespace != p.Namespace) continue;
            if (!labels.Matches(o.Labels) || !fields.Matches(o)) continue;
            try
            {
                WriteResult r = store.Delete(type, o.Namespace, o.Name, request with { PreconditionUid = o.Uid });
                if (r.Object != null) deleted.Add(AsVersion(r.Object, p.Version));
            }
            catch (ApiException) { /* gone meanwhile */ }
        }
        await SendJsonAsync(ctx.Response, 200, new JsonObject
        {
            ["apiVersion"] = type.ApiVersionFor(p.Version), ["items"] = deleted, ["kind"] = type.ListKind,
            ["metadata"] = new JsonObject { ["resourceVersion"] = store.ResourceVersion.ToString() },
        }, ctx.Cancellation);
    }
}

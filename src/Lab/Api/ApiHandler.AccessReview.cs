using System.Text.Json;
using System.Text.Json.Nodes;
using VmSnapshot.Lab.Json;

namespace VmSnapshot.Lab.Api;

internal sealed partial class ApiHandler
{
    /// <summary>
    /// authorization.k8s.io/v1 SelfSubjectAccessReview: answers from the caller's own rules (kubectl auth can-i).
    /// </summary>
    private async Task CreateAccessReviewAsync(RequestContext ctx, ResourceType type, ApiPath p)
    {
        JsonObject review;
        if (ProtobufBodies.IsProtobuf(ctx.Request.Body))
        {
            review = ProtobufBodies.AccessReview(ctx.Request.Body);
        }
        else
        {
            try { review = JsonNode.Parse(ctx.Request.Body) as JsonObject ?? throw Errors.BadRequest("the object provided is unrecognized (must be of type SelfSubjectAccessReview)"); }
            catch (JsonException ex) { throw Errors.BadRequest($"the object provided is unrecognized (must be of type SelfSubjectAccessReview): couldn't get version/kind; json parse error: {JsonUtil.GoParseError(ctx.Request.Body, ex)}"); }
        }

        JsonObject? spec = review["spec"] as JsonObject;
        JsonObject? resourceAttributes = spec?["resourceAttributes"] as JsonObject;
        JsonObject? nonResource = spec?["nonResourceAttributes"] as JsonObject;
        if (resourceAttributes == null && nonResource == null)
            throw Errors.Invalid(type, "", new Errors.Cause("FieldValueRequired", "spec.resourceAttributes", "Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified"));

        bool allowed;
        string? byRole = null; // the system ClusterRole that allowed it, when the user's own rules did not
        if (resourceAttributes != null)
        {
            string verb = JsonUtil.Str(resourceAttributes["verb"]) ?? "";
            string group = JsonUtil.Str(resourceAttributes["group"]) ?? "";
            string resource = JsonUtil.Str(resourceAttributes["resource"]) ?? "";
            string? sub = JsonUtil.Str(resourceAttributes["subresource"]);
            string? name = JsonUtil.Str(resourceAttributes["name"]);
            string qualified = string.IsNullOrEmpty(sub) ? resource : $"{resource}/{sub}";
            allowed = ctx.User.Can(verb, group, qualified, string.IsNullOrEmpty(name) ? null : name);
            if (allowed && !ctx.User.Rules.Any(r => r.Allows(verb, group, qualified, string.IsNullOrEmpty(name) ? null : name))) byRole = "system:basic-user";
        }
        else
        {
            // Discovery, /version and health are open to every authenticated user (system:discovery).
            allowed = ctx.User.CanRequestUrl(JsonUtil.Str(nonResource!["verb"]) ?? "", JsonUtil.Str(nonResource["path"]) ?? "");
            byRole = "system:discovery";
        }

        JsonObject status = new() { ["allowed"] = allowed };
        if (allowed)
        {
            status["reason"] = ctx.User.IsAdmin
                ? "RBAC: allowed by ClusterRoleBinding \"cluster-admin\" of ClusterRole \"cluster-admin\" to Group \"system:masters\""
                : byRole != null
                    ? $"RBAC: allowed by ClusterRoleBinding \"{byRole}\" of ClusterRole \"{byRole}\" to Group \"system:authenticated\""
                    : $"RBAC: allowed by ClusterRoleBinding \"{ctx.User.Name}\" of ClusterRole \"{ctx.User.Name}\" to User \"{ctx.User.Name}\"";
        }

        JsonObject answer = new()
        {
            ["kind"] = type.Kind,
            ["apiVersion"] = type.ApiVersionFor(p.Version),
            ["metadata"] = new JsonObject { ["creationTimestamp"] = null },
            ["spec"] = spec!.DeepClone(),
            ["status"] = status,
        };
        await SendJsonAsync(ctx.Response, 201, answer, ctx.Cancellation);
    }
}

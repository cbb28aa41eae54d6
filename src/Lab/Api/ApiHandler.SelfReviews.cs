using System.Text.Json;
using System.Text.Json.Nodes;
using VmSnapshot.Lab.Auth;
using VmSnapshot.Lab.Json;

namespace VmSnapshot.Lab.Api;

internal sealed partial class ApiHandler
{
    /// <summary>
    /// authentication.k8s.io/v1 SelfSubjectReview (kubectl auth whoami): the caller's user info, as
    /// pkg/registry/authentication/selfsubjectreview/rest.go answers it (201, no spec, status.userInfo).
    /// </summary>
    private async Task CreateSelfSubjectReviewAsync(RequestContext ctx, ResourceType type, ApiPath p)
    {
        if (!ProtobufBodies.IsProtobuf(ctx.Request.Body) && ctx.Request.Body.Length > 0) ParseReview(ctx, type);
        JsonObject answer = new()
        {
            ["kind"] = type.Kind,
            ["apiVersion"] = type.ApiVersionFor(p.Version),
            ["metadata"] = new JsonObject { ["creationTimestamp"] = null },
            ["status"] = new JsonObject
            {
                ["userInfo"] = new JsonObject
                {
                    ["username"] = ctx.User.Name,
                    ["groups"] = new JsonArray(ctx.User.Groups.Select(g => (JsonNode)JsonValue.Create(g)).ToArray()),
                },
            },
        };
        await SendJsonAsync(ctx.Response, 201, answer, ctx.Cancellation);
    }

    /// <summary>
    /// authorization.k8s.io/v1 SelfSubjectRulesReview (kubectl auth can-i --list): every rule that applies to the
    /// caller in spec.namespace, from the same rules SelfSubjectAccessReview and the request authorizer use (the
    /// scenario user's, or cluster-admin's, plus the system roles every authenticated user holds). As
    /// pkg/registry/authorization/selfsubjectrulesreview/rest.go: 400 "no namespace on request" without a
    /// namespace, 201 with an empty spec and status {resourceRules, nonResourceRules, incomplete}.
    /// </summary>
    private async Task CreateRulesReviewAsync(RequestContext ctx, ResourceType type, ApiPath p)
    {
        JsonObject review = ProtobufBodies.IsProtobuf(ctx.Request.Body) ? ProtobufBodies.RulesReview(ctx.Request.Body) : ParseReview(ctx, type);
        if (string.IsNullOrEmpty(JsonUtil.Str(review["spec"]?["namespace"]))) throw Errors.BadRequest("no namespace on request");

        LabUser user = ctx.User;
        JsonArray resourceRules = new();
        foreach (AccessRule? rule in (user.IsAdmin ? [SystemRoles.ClusterAdmin] : user.Rules).Concat(SystemRoles.BasicUser))
        {
            JsonObject r = new() { ["verbs"] = Strings(rule.Verbs) };
            if (rule.ApiGroups.Count > 0) r["apiGroups"] = Strings(rule.ApiGroups);
            if (rule.Resources.Count > 0) r["resources"] = Strings(rule.Resources);
            if (rule.ResourceNames.Count > 0) r["resourceNames"] = Strings(rule.ResourceNames);
            resourceRules.Add(r);
        }
        JsonArray nonResourceRules = new();
        if (user.IsAdmin) nonResourceRules.Add(new JsonObject { ["verbs"] = Strings(["*"]), ["nonResourceURLs"] = Strings(["*"]) });
        nonResourceRules.Add(new JsonObject { ["verbs"] = Strings(["get"]), ["nonResourceURLs"] = Strings(SystemRoles.DiscoveryUrls) });
        nonResourceRules.Add(new JsonObject { ["verbs"] = Strings(["get"]), ["nonResourceURLs"] = Strings(SystemRoles.PublicInfoUrls) });

        JsonObject answer = new()
        {
            ["kind"] = type.Kind,
            ["apiVersion"] = type.ApiVersionFor(p.Version),
            ["metadata"] = new JsonObject { ["creationTimestamp"] = null },
            ["spec"] = new JsonObject(),
            ["status"] = new JsonObject { ["resourceRules"] = resourceRules, ["nonResourceRules"] = nonResourceRules, ["incomplete"] = false },
        };
        await SendJsonAsync(ctx.Response, 201, answer, ctx.Cancellation);
    }

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

    private static JsonObject ParseReview(RequestContext ctx, ResourceType type)
    {
        try
        {
            return JsonNode.Parse(ctx.Request.Body) as JsonObject ?? throw Errors.BadRequest($"the object provided is unrecognized (must be of type {type.Kind})");
        }
        catch (JsonException ex)
        {
            throw Errors.BadRequest($"the object provided is unrecognized (must be of type {type.Kind}): couldn't get version/kind; json parse error: {JsonUtil.GoParseError(ctx.Request.Body, ex)}");
        }
    }
}

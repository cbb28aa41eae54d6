using System.Text.Json.Nodes;
using VmSnapshot.Lab.Api;

namespace VmSnapshot.Lab.Admission;

/// <summary>One metav1.StatusCause of a KubeVirt webhook: the field path, the message and the cause type.</summary>
public sealed record WebhookCause(string Field, string Message, string Type = "FieldValueInvalid")
{
    public static implicit operator WebhookCause((string Field, string Message) c) => new(c.Field, c.Message);
}

/// <summary>
/// A webhook's denial as the apiserver returns it: the webhook's own Status, rewritten by ToStatusErr
/// (k8s.io/apiserver pkg/admission/plugin/webhook/errors/statuserror.go): code below 400 becomes 400, an empty
/// status becomes Failure, and the message becomes "admission webhook "NAME" denied the request: " + the webhook's
/// message (or its reason, or "without explanation"). Reason, code and details stay the webhook's.
/// </summary>
public static class AdmissionDenied
{
    private const int MaxCausesInMessage = 10;

    /// <summary>
    /// KubeVirt's webhookutils.ToAdmissionResponse (pkg/util/webhooks/webhooks.go): 422 Invalid, every cause in
    /// details, and a message joining the first ten causes' messages with ", " (then ", and N more validation errors").
    /// </summary>
    public static ApiException Invalid(string webhook, params WebhookCause[] causes)
    {
        string message = string.Join(", ", causes.Take(MaxCausesInMessage).Select(c => c.Message));
        if (causes.Length > MaxCausesInMessage) message += $", and {causes.Length - MaxCausesInMessage} more validation errors";
        JsonObject details = new()
        {
            ["causes"] = new JsonArray(causes.Select(c => (JsonNode)new JsonObject { ["reason"] = c.Type, ["message"] = c.Message, ["field"] = c.Field }).ToArray()),
        };
        return Denied(webhook, 422, "Invalid", message, details);
    }

    /// <summary>
    /// KubeVirt's webhookutils.ToAdmissionResponseError (pkg/util/webhooks/webhooks.go), e.g. the feature-gate
    /// refusal: code 400 and a message, no reason and no details (kubectl prints "Error from server: ...").
    /// </summary>
    public static ApiException Error(string webhook, string message) => Denied(webhook, 400, null, message, null);

    private static ApiException Denied(string webhook, int code, string? reason, string message, JsonObject? details)
    {
        string deniedBy = $"admission webhook \"{webhook}\" denied the request";
        JsonObject status = new()
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message.Length > 0 ? $"{deniedBy}: {message}" : reason is { Length: > 0 } ? $"{deniedBy}: {reason}" : $"{deniedBy} without explanation",
        };
        if (reason != null) status["reason"] = reason;
        if (details != null) status["details"] = details;
        status["code"] = code < 400 ? 400 : code;
        return new ApiException(code < 400 ? 400 : code, status);
    }
}

using System.Text.Json.Nodes;
using VmSnapshot.Lab.Api;
using VmSnapshot.Lab.Store;

namespace VmSnapshot.Lab.Admission;

public enum AdmissionOperation { Create, Update }

/// <summary>One create or update on its way into the store, as a webhook sees it. Mutating webhooks change <see cref="Object"/>.</summary>
public sealed class AdmissionRequest
{
    public required AdmissionOperation Operation { get; init; }
    public required ResourceType Type { get; init; }
    public JsonObject? OldObject { get; init; }
    public required JsonObject Object { get; init; }
    public bool DryRun { get; init; }
}

/// <summary>A validating or mutating admission webhook: throws an <see cref="ApiException"/> to deny.</summary>
public interface IAdmissionWebhook
{
    bool Handles(ResourceType type);
    void Admit(AdmissionRequest request);
}

/// <summary>
/// The admission stage of client writes (create, update and patch of the main resource, not /status and not the
/// lab's in-process writes), run by the store inside its write lock, after the object is decoded and before it is
/// persisted, so a denied request leaves nothing behind. Webhooks run in registration order (mutators first).
/// </summary>
public sealed class AdmissionChain
{
    private readonly List<IAdmissionWebhook> webhooks = [];

    public void Register(IAdmissionWebhook webhook)
    {
        lock (webhooks) webhooks.Add(webhook);
    }

    public void Clear()
    {
        lock (webhooks) webhooks.Clear();
    }

    internal void Review(ResourceType type, StoredObject? current, JsonObject desired, bool dryRun)
    {
        IAdmissionWebhook[] active;
        lock (webhooks) active = webhooks.Where(w => w.Handles(type)).ToArray();
        if (active.Length == 0) return;
        var request = new AdmissionRequest
        {
            Operation = current == null ? AdmissionOperation.Create : AdmissionOperation.Update,
            Type = type,
            OldObject = current?.ToJson(),
            Object = desired,
            DryRun = dryRun,
        };
        foreach (var webhook in active) webhook.Admit(request);
    }
}

/// <summary>
/// A webhook's denial as the apiserver returns it (reference §8): the webhook's Status (KubeVirt answers 422
/// Invalid with one cause per problem) with the message "admission webhook "NAME" denied the request: " plus the
/// causes' messages joined by ", ".
/// </summary>
public static class AdmissionDenied
{
    public static ApiException Invalid(string webhook, params (string Field, string Message)[] causes)
    {
        var status = Errors.Status(422, "Invalid", $"admission webhook \"{webhook}\" denied the request: {string.Join(", ", causes.Select(c => c.Message))}",
            new JsonObject
            {
                ["causes"] = new JsonArray(causes.Select(c => (JsonNode)new JsonObject { ["reason"] = "FieldValueInvalid", ["message"] = c.Message, ["field"] = c.Field }).ToArray()),
            });
        return new ApiException(422, status);
    }

    /// <summary>The feature-gate refusal: KubeVirt answers it with code 400 (reference §8).</summary>
    public static ApiException BadRequest(string webhook, string message)
        => new(400, Errors.Status(400, "BadRequest", $"admission webhook \"{webhook}\" denied the request: {message}", null));
}

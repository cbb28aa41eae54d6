using System.Text.Json.Nodes;
using VmSnapshot.Lab.Api;

namespace VmSnapshot.Lab.Store;

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
    private readonly List<IAdmissionWebhook> _webhooks = [];

    public void Register(IAdmissionWebhook webhook)
    {
        lock (_webhooks) _webhooks.Add(webhook);
    }

    public void Clear()
    {
        lock (_webhooks) _webhooks.Clear();
    }

    internal void Review(ResourceType type, StoredObject? current, JsonObject desired, bool dryRun)
    {
        IAdmissionWebhook[] active;
        lock (_webhooks) active = _webhooks.Where(w => w.Handles(type)).ToArray();
        if (active.Length == 0) return;
        AdmissionRequest request = new()
        {
            Operation = current == null ? AdmissionOperation.Create : AdmissionOperation.Update,
            Type = type,
            OldObject = current?.ToJson(),
            Object = desired,
            DryRun = dryRun,
        };
        foreach (IAdmissionWebhook webhook in active) webhook.Admit(request);
    }
}

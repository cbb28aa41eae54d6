using System.Text.Json.Nodes;
using VmSnapshot.Lab.Api;
using VmSnapshot.Lab.Json;

namespace VmSnapshot.Lab.Store;

/// <summary>DeleteOptions as the store needs them.</summary>
internal sealed record DeleteRequest(string? PropagationPolicy = null, string? PreconditionUid = null, string? PreconditionResourceVersion = null, bool DryRun = false);

public sealed partial class LabStore
{
    /// <summary>
    /// Deletes like the generic registry: with finalizers (or Foreground/Orphan propagation, which add one)
    /// the object only gets deletionTimestamp; otherwise it disappears. Throws NotFound or Conflict.
    /// </summary>
    internal WriteResult Delete(ResourceType type, string? ns, string name, DeleteRequest request)
    {
        return Write(type, ns, name, current =>
        {
            if (current == null) throw Errors.NotFound(type, name);
            if (request.PreconditionUid != null && request.PreconditionUid != current.Uid)
                throw Errors.Conflict(type, name, $"Precondition failed: UID in precondition: {request.PreconditionUid}, UID in object meta: {current.Uid}");
            if (request.PreconditionResourceVersion != null && request.PreconditionResourceVersion != current.ResourceVersion.ToString())
                throw Errors.Conflict(type, name, $"Precondition failed: ResourceVersion in precondition: {request.PreconditionResourceVersion}, ResourceVersion in object meta: {current.ResourceVersion}");

            JsonObject obj = current.ToJson();
            JsonObject meta = (JsonObject)obj["metadata"]!;
            if (current.Deleting) return obj; // repeated DELETE: nothing changes
            List<string> finalizers = current.Finalizers.ToList();
            string? gcFinalizer = request.PropagationPolicy switch
            {
                "Foreground" => "foregroundDeletion",
                "Orphan" => "orphan",
                _ => null,
            };
            // Foreground only waits when there are dependents; without them the owner goes at once.
            if (gcFinalizer != null && HasDependentsLocked(current.Uid) && !finalizers.Contains(gcFinalizer)) finalizers.Add(gcFinalizer);
            if (finalizers.Count == 0) return null;
            meta["finalizers"] = new JsonArray(finalizers.Select(f => (JsonNode)JsonValue.Create(f)).ToArray());
            meta["deletionTimestamp"] = JsonUtil.Now();
            meta["deletionGracePeriodSeconds"] = 0L;
            return obj;
        }, new WriteOptions { DryRun = request.DryRun, SetsDeletion = true });
    }

    private bool HasDependentsLocked(string uid) => _byUid.Values.Any(o => o.Owners.Any(r => r.Uid == uid));

    private void SignalGarbageCollector() => _gcSignal.Writer.TryWrite(true);

    /// <summary>
    /// The garbage collector: deletes dependents whose owners are all gone, strips references to missing
    /// owners, handles the foregroundDeletion and orphan finalizers, and empties deleted namespaces.
    /// It runs outside the write lock and writes through the ordinary delete and update paths.
    /// </summary>
    private async Task GarbageCollectorLoopAsync()
    {
        try
        {
            while (await _gcSignal.Reader.WaitToReadAsync(_disposing.Token))
            {
                _gcSignal.Reader.TryRead(out _);
                await Task.Delay(20, _disposing.Token); // let a burst of deletions settle into one pass
                try { while (CollectOnce()) { } }
                catch (ApiException) { SignalGarbageCollector(); }
            }
        }
        catch (OperationCanceledException) { }
        catch (System.Threading.Channels.ChannelClosedException) { }
    }

    /// <summary>One pass; true when it changed something, so another pass may find more.</summary>
    private bool CollectOnce()
    {
        List<StoredObject> all;
        HashSet<string> namespaces;
        lock (_gate)
        {
            all = _tables.Values.SelectMany(t => t.Objects.Values).ToList();
            namespaces = _tables[Catalog.Resolve("namespaces")].Objects.Values.Select(n => n.Name).ToHashSet();
        }
        Dictionary<string, StoredObject> alive = all.ToDictionary(o => o.Uid, o => o);
        bool changed = false;

        foreach (StoredObject obj in all)
        {
            // Content of a namespace that no longer exists goes with it.
            if (obj.Namespace != null && !namespaces.Contains(obj.Namespace))
            {
                changed |= TryDelete(obj, "Background");
                continue;
            }
            if (obj.Owners.Length > 0)
            {
                List<StoredObject.OwnerRef> missing = obj.Owners.Where(r => !alive.ContainsKey(r.Uid)).ToList();
                if (missing.Count == obj.Owners.Length)
                {
                    changed |= TryDelete(obj, "Background");
                }
                else if (missing.Count > 0)
                {
                    changed |= RemoveOwnerRefs(obj, missing.Select(m => m.Uid).ToHashSet());
                }
                else
                {
                    // Owners being deleted in the foreground take their dependents down first.
                    bool foregroundOwner = obj.Owners.Any(r => alive[r.Uid] is { Deleting: true } o && o.Finalizers.Contains("foregroundDeletion"));
                    if (foregroundOwner && !obj.Deleting) changed |= TryDelete(obj, "Foreground");
                }
            }
        }

        foreach (StoredObject? owner in all.Where(o => o.Deleting))
        {
            List<StoredObject> dependents = all.Where(d => alive.ContainsKey(d.Uid) && d.Owners.Any(r => r.Uid == owner.Uid)).ToList();
            if (owner.Finalizers.Contains("orphan"))
            {
                foreach (StoredObject? d in dependents) changed |= RemoveOwnerRefs(d, [owner.Uid]);
                changed |= RemoveFinalizer(owner, "orphan");
            }
            else if (owner.Finalizers.Contains("foregroundDeletion"))
            {
                List<StoredObject> blocking = dependents.Where(d => d.Owners.Any(r => r.Uid == owner.Uid && r.BlockOwnerDeletion)).ToList();
                IEnumerable<StoredObject> stillThere = blocking.Where(d => Find(d.Type, d.Namespace, d.Name) is { } cur && cur.Uid == d.Uid);
                if (!stillThere.Any()) changed |= RemoveFinalizer(owner, "foregroundDeletion");
            }
        }
        return changed;
    }

    private bool TryDelete(StoredObject obj, string policy)
    {
        try { return Delete(obj.Type, obj.Namespace, obj.Name, new DeleteRequest(policy, PreconditionUid: obj.Uid)).Kind != ChangeKind.None; }
        catch (ApiException) { return false; } // gone already, or replaced by a new object with the same name
    }

    private bool RemoveOwnerRefs(StoredObject obj, HashSet<string> uids) => TryUpdate(obj, o =>
    {
        if (o["metadata"]!["ownerReferences"] is not JsonArray refs) return;
        foreach (JsonObject? r in refs.OfType<JsonObject>().Where(r => uids.Contains(JsonUtil.Str(r["uid"]) ?? "")).ToList()) refs.Remove(r);
        if (refs.Count == 0) ((JsonObject)o["metadata"]!).Remove("ownerReferences");
    });

    private bool RemoveFinalizer(StoredObject obj, string finalizer) => TryUpdate(obj, o =>
    {
        if (o["metadata"]!["finalizers"] is not JsonArray f) return;
        foreach (JsonNode? n in f.Where(x => x?.ToString() == finalizer).ToList()) f.Remove(n);
    });

    private bool TryUpdate(StoredObject obj, Action<JsonObject> mutate)
    {
        try
        {
            return Write(obj.Type, obj.Namespace, obj.Name, current =>
            {
                if (current == null || current.Uid != obj.Uid) return current?.ToJson();
                JsonObject copy = current.ToJson();
                mutate(copy);
                return copy;
            }).Kind != ChangeKind.None;
        }
        catch (ApiException) { return false; }
    }
}

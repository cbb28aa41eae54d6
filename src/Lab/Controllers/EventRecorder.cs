using System.Text.Json.Nodes;
using VmSnapshot.Lab.Api;
using VmSnapshot.Lab.Store;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// Writes core/v1 Events the way client-go's recorder does: one Event per (object, type, reason, message), its
/// count and lastTimestamp bumped on repeats, named &lt;object&gt;.&lt;hex&gt;, in the object's namespace.
/// </summary>
internal sealed class EventRecorder(LabStore store)
{
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private long _sequence;

    public const string Normal = "Normal";
    public const string Warning = "Warning";

    public void Record(JsonObject involved, string type, string reason, string message, string component)
    {
        string ns = Obj.Namespace(involved) ?? "default";
        string uid = Obj.Uid(involved);
        string key = $"{uid}|{type}|{reason}|{message}";
        string now = Obj.Timestamp();
        lock (_gate)
        {
            if (_names.TryGetValue(key, out string? existing) && store.Get(Plurals.Events, ns, existing) != null)
            {
                store.Update(Plurals.Events, ns, existing, e =>
                {
                    e["count"] = (e["count"]?.GetValue<long>() ?? 1) + 1;
                    e["lastTimestamp"] = now;
                });
                return;
            }
            string name = $"{Obj.Name(involved)}.{DateTime.UtcNow.Ticks + Interlocked.Increment(ref _sequence):x}";
            _names[key] = name;
            JsonObject involvedRef = new()
            {
                ["apiVersion"] = Obj.Str(involved, "apiVersion"),
                ["kind"] = Obj.Str(involved, "kind"),
                ["name"] = Obj.Name(involved),
                ["uid"] = uid,
                ["resourceVersion"] = Obj.Str(involved, "metadata", "resourceVersion"),
            };
            if (Obj.Namespace(involved) != null) involvedRef["namespace"] = Obj.Namespace(involved);
            // An event for an object whose namespace is gone is refused (NotFound), and client-go's recorder only logs
            // that (tools/record/event.go recordToSink): the event is dropped, the namespace is not brought back.
            try
            {
                store.Create(new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "Event",
                    ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
                    ["involvedObject"] = involvedRef,
                    ["reason"] = reason,
                    ["message"] = message,
                    ["type"] = type,
                    ["count"] = 1,
                    ["firstTimestamp"] = now,
                    ["lastTimestamp"] = now,
                    ["source"] = new JsonObject { ["component"] = component },
                    ["reportingComponent"] = component,
                    ["reportingInstance"] = "",
                });
            }
            catch (ApiException e) when (e.Code == 404)
            {
                _names.Remove(key);
            }
        }
    }
}

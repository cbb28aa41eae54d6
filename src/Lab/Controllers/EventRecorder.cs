using System.Text.Json.Nodes;
using VmSnapshot.Lab.Store;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// Writes core/v1 Events the way client-go's recorder does: one Event per (object, type, reason, message), its
/// count and lastTimestamp bumped on repeats, named &lt;object&gt;.&lt;hex&gt;, in the object's namespace.
/// </summary>
internal sealed class EventRecorder(LabStore store)
{
    private readonly Dictionary<string, string> names = new(StringComparer.Ordinal);
    private readonly object gate = new();
    private long sequence;

    public const string Normal = "Normal";
    public const string Warning = "Warning";

    public void Record(JsonObject involved, string type, string reason, string message, string component)
    {
        var ns = Obj.Namespace(involved) ?? "default";
        var uid = Obj.Uid(involved);
        var key = $"{uid}|{type}|{reason}|{message}";
        var now = Obj.Timestamp();
        lock (gate)
        {
            if (names.TryGetValue(key, out var existing) && store.Get(Plurals.Events, ns, existing) != null)
            {
                store.Update(Plurals.Events, ns, existing, e =>
                {
                    e["count"] = (e["count"]?.GetValue<long>() ?? 1) + 1;
                    e["lastTimestamp"] = now;
                });
                return;
            }
            var name = $"{Obj.Name(involved)}.{DateTime.UtcNow.Ticks + Interlocked.Increment(ref sequence):x}";
            names[key] = name;
            var involvedRef = new JsonObject
            {
                ["apiVersion"] = Obj.Str(involved, "apiVersion"),
                ["kind"] = Obj.Str(involved, "kind"),
                ["name"] = Obj.Name(involved),
                ["uid"] = uid,
                ["resourceVersion"] = Obj.Str(involved, "metadata", "resourceVersion"),
            };
            if (Obj.Namespace(involved) != null) involvedRef["namespace"] = Obj.Namespace(involved);
            store.Seed(new JsonObject
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
    }
}

using System.Text.Json;

namespace VmSnapshot.Core.Watching;

/// <summary>What happened to a watched object.</summary>
public enum WatchChange
{
    /// <summary>Created or changed: <see cref="WatchEvent.Object"/> is its new state.</summary>
    Updated,

    /// <summary>
    /// Deleted: <see cref="WatchEvent.Object"/> is its last state, or default when a relist (after 410 Expired) no
    /// longer shows the object.
    /// </summary>
    Deleted,
}

/// <summary>One change to one object, as delivered to a subscriber of a <see cref="NamespaceWatch"/>.</summary>
/// <param name="Change">What happened.</param>
/// <param name="Object">The object's state (default for an absence seen in a relist).</param>
/// <param name="ListResourceVersion">For a state taken from a relist: the list's resourceVersion, so a waiter can tell
/// a list that predates what it already knows (an object created after the list was served is not "deleted").</param>
public readonly record struct WatchEvent(WatchChange Change, JsonElement Object, long? ListResourceVersion = null);

using System.Text.Json;

namespace VmSnapshot.Core.Watching;

/// <summary>What happened to a watched object.</summary>
public enum WatchChange
{
    /// <summary>Created or changed: <see cref="WatchEvent.Object"/> is its new state.</summary>
    Updated,

    /// <summary>Deleted: <see cref="WatchEvent.Object"/> is its last state.</summary>
    Deleted,

    /// <summary>The watch had to restart from scratch (410 Expired): re-read the object, events may have been missed.</summary>
    Resync,
}

/// <summary>One change to one object, as delivered to a subscriber of a <see cref="NamespaceWatch"/>.</summary>
public readonly record struct WatchEvent(WatchChange Change, JsonElement Object);

using System.Collections.Immutable;
using VmSnapshot.Lab.Api;

namespace VmSnapshot.Lab.Store;

/// <summary>
/// A mark in the store's history: every type's object map as it was at one resourceVersion. The maps are the
/// store's own immutable tables, so taking a checkpoint copies nothing; a later <see cref="LabStore.ChangesSince"/>
/// compares them with the current tables.
/// </summary>
public sealed class StoreCheckpoint
{
    internal StoreCheckpoint(long resourceVersion, int journalPosition, IReadOnlyDictionary<ResourceType, ImmutableSortedDictionary<string, StoredObject>> maps)
    {
        ResourceVersion = resourceVersion;
        JournalPosition = journalPosition;
        Maps = maps;
        Time = DateTimeOffset.UtcNow;
    }

    /// <summary>The store's resourceVersion when the checkpoint was taken.</summary>
    public long ResourceVersion { get; }

    /// <summary>When the checkpoint was taken (UTC, wall clock).</summary>
    public DateTimeOffset Time { get; }

    /// <summary>Where the creation journal stood: objects created after the checkpoint are journaled past it.</summary>
    internal int JournalPosition { get; }

    internal IReadOnlyDictionary<ResourceType, ImmutableSortedDictionary<string, StoredObject>> Maps { get; }
}

/// <summary>How an object changed between a checkpoint and now.</summary>
public enum StoreChangeKind
{
    /// <summary>The object did not exist at the checkpoint and exists now.</summary>
    Created,

    /// <summary>The same object (same uid) exists at both points with different content.</summary>
    Updated,

    /// <summary>The object existed at the checkpoint and is gone now (or was replaced by another uid).</summary>
    Deleted,

    /// <summary>The object was created after the checkpoint and is already gone.</summary>
    CreatedAndDeleted,
}

/// <summary>One object's change since a checkpoint. ChangedPaths lists the dotted JSON paths that differ (Updated only).</summary>
public sealed record StoreChange(StoreChangeKind Kind, ResourceType Type, string? Namespace, string Name, string Uid, IReadOnlyList<string> ChangedPaths);

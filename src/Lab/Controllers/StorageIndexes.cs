using VmSnapshot.Lab.Store;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// The lookups the storage controllers make on every claim and VolumeSnapshot event, kept as store indexes the way
/// their informer caches keep them, so a fleet snapshot (thousands of claim and snapshot changes) does not parse every
/// claim or snapshot of the namespace per event.
/// </summary>
internal static class StorageIndexes
{
    /// <summary>VolumeSnapshots by the claim they snapshot (spec.source.persistentVolumeClaimName).</summary>
    public const string SnapshotsBySourceClaim = "spec.source.persistentVolumeClaimName";

    /// <summary>Claims by the name of the object they are populated from (spec.dataSource.name).</summary>
    public const string ClaimsByDataSource = "spec.dataSource.name";

    /// <summary>Adds both indexes (once, whichever controller asks first).</summary>
    public static void Add(LabStore store)
    {
        store.AddIndex(Plurals.VolumeSnapshots, SnapshotsBySourceClaim,
            vs => Obj.Str(vs, "spec", "source", "persistentVolumeClaimName") is string claim ? [claim] : []);
        store.AddIndex(Plurals.PersistentVolumeClaims, ClaimsByDataSource,
            pvc => Obj.Str(pvc, "spec", "dataSource", "name") is string source ? [source] : []);
    }
}

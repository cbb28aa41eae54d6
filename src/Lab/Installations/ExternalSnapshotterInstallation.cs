using VmSnapshot.Lab.Api;

namespace VmSnapshot.Lab.Installations;

/// <summary>
/// The CSI external-snapshotter's CRDs (snapshot.storage.k8s.io/v1), as client/config/crd in
/// kubernetes-csi/external-snapshotter installs them: names, scope, schemas and printer columns all come from the
/// embedded CRD YAMLs. The snapshot controller's behaviour is the lab's CsiSnapshotter, started with the controllers.
/// </summary>
internal static class ExternalSnapshotterInstallation
{
    private const string Group = "snapshot.storage.k8s.io";
    private const string SnapshotsCrd = "snapshot.storage.k8s.io_volumesnapshots.yaml";
    private const string ClassesCrd = "snapshot.storage.k8s.io_volumesnapshotclasses.yaml";
    private const string ContentsCrd = "snapshot.storage.k8s.io_volumesnapshotcontents.yaml";

    public static void Register(ResourceCatalog catalog)
    {
        catalog.Register(new ResourceType
        {
            Group = Group, Versions = ["v1"], Kind = "VolumeSnapshot", Plural = "volumesnapshots", Singular = "volumesnapshot", ShortNames = ["vs"],
            SchemaFile = SnapshotsCrd, Columns = CrdPrinterColumns.From(SnapshotsCrd),
        });
        catalog.Register(new ResourceType
        {
            Group = Group, Versions = ["v1"], Kind = "VolumeSnapshotClass", Plural = "volumesnapshotclasses", Singular = "volumesnapshotclass",
            ShortNames = ["vsclass", "vsclasses"], Namespaced = false, HasStatus = false, TopLevelFields = ["driver", "parameters", "deletionPolicy"],
            SchemaFile = ClassesCrd, Columns = CrdPrinterColumns.From(ClassesCrd),
        });
        catalog.Register(new ResourceType
        {
            Group = Group, Versions = ["v1"], Kind = "VolumeSnapshotContent", Plural = "volumesnapshotcontents", Singular = "volumesnapshotcontent",
            ShortNames = ["vsc", "vscs"], Namespaced = false,
            SchemaFile = ContentsCrd, Columns = CrdPrinterColumns.From(ContentsCrd),
        });
    }
}

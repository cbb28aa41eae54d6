using VmSnapshot.Lab.Api;

namespace VmSnapshot.Lab.Installations;

/// <summary>
/// The Containerized Data Importer's CRDs (cdi.kubevirt.io/v1beta1) as cdi-operator installs them; names and printer
/// columns from kubevirt/containerized-data-importer pkg/apis/core/v1beta1/types.go (kubebuilder markers). The lab
/// ships no CDI CRD YAML, so the columns live here. DataVolume behaviour is emulated by the lab's controllers.
/// </summary>
internal static class CdiInstallation
{
    private const string Group = "cdi.kubevirt.io";

    public static void Register(ResourceCatalog catalog)
    {
        catalog.Register(new ResourceType
        {
            Group = Group, Versions = ["v1beta1"], Kind = "DataVolume", Plural = "datavolumes", Singular = "datavolume",
            ShortNames = ["dv", "dvs"], Categories = ["all"],
            Columns =
            [
                new("Phase", "string", ".status.phase"), new("Progress", "string", ".status.progress"),
                new("Restarts", "integer", ".status.restartCount"), PrinterColumn.Age,
            ],
        });
        catalog.Register(new ResourceType
        {
            Group = Group, Versions = ["v1beta1"], Kind = "StorageProfile", Plural = "storageprofiles", Singular = "storageprofile",
            Namespaced = false, Columns = [PrinterColumn.Age],
        });
    }
}

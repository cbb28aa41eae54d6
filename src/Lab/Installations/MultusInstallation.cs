using VmSnapshot.Lab.Api;

namespace VmSnapshot.Lab.Installations;

/// <summary>
/// Multus's NetworkAttachmentDefinition CRD (k8s.cni.cncf.io/v1), as deployments/multus-daemonset.yml in
/// k8snetworkplumbingwg/multus-cni installs it: the secondary networks VMs attach to (e.g. the segment a clone
/// moves to). The CRD has no status and no printer columns beyond Age.
/// </summary>
internal static class MultusInstallation
{
    public static void Register(ResourceCatalog catalog)
    {
        catalog.Register(new ResourceType
        {
            Group = "k8s.cni.cncf.io", Versions = ["v1"], Kind = "NetworkAttachmentDefinition", Plural = "network-attachment-definitions",
            Singular = "network-attachment-definition", ShortNames = ["net-attach-def"], HasStatus = false, TopLevelFields = ["spec"],
            Columns = [PrinterColumn.Age],
        });
    }
}

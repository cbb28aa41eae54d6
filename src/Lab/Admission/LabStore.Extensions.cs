using VmSnapshot.Lab.Admission;

namespace VmSnapshot.Lab.Store;

// Extension points the emulated KubeVirt (src/Lab/Controllers, Admission, GuestAgent) fills in: the admission
// webhooks of client writes, and the aggregated API groups virt-api serves (subresources.kubevirt.io).
public sealed partial class LabStore
{
    /// <summary>Validating/mutating webhooks for client creates and updates.</summary>
    public AdmissionChain Admission { get; } = new();

    /// <summary>API groups served by an aggregated apiserver (virt-api) rather than the store.</summary>
    public AggregatedApis AggregatedApis { get; } = new();
}

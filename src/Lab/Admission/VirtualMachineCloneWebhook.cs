using VmSnapshot.Lab.Api;
using VmSnapshot.Lab.Controllers;
using VmSnapshot.Lab.Store;

namespace VmSnapshot.Lab.Admission;

internal sealed class VirtualMachineCloneWebhook(LabStore store, KubeVirtBehaviour kubevirt) : IAdmissionWebhook
{
    public bool Handles(ResourceType type) => false;
    public void Admit(AdmissionRequest request) { _ = store; _ = kubevirt; }
}

using VmSnapshot.Core.Api;

namespace VmSnapshot.Core.Quiesce;

/// <summary>
/// The API resources Test-GuestQuiesce reads besides VMs and snapshots. The subresources are served by virt-api
/// under subresources.kubevirt.io (kubevirt-api.md §3.3); as "resource/subresource" they describe themselves in
/// RBAC terms in error messages.
/// </summary>
internal static class QuiesceResources
{
    public const string SubresourceGroup = "subresources.kubevirt.io";

    public static ResourceType KubeVirt { get; } = new("kubevirt.io", "v1", "kubevirts", "KubeVirt");

    public static ResourceType GuestOsInfo { get; } =
        new(SubresourceGroup, "v1", "virtualmachineinstances/guestosinfo", "VirtualMachineInstance");

    public static ResourceType Freeze { get; } =
        new(SubresourceGroup, "v1", "virtualmachineinstances/freeze", "VirtualMachineInstance");

    public static ResourceType Unfreeze { get; } =
        new(SubresourceGroup, "v1", "virtualmachineinstances/unfreeze", "VirtualMachineInstance");

    public static ResourceType SelfSubjectAccessReview { get; } =
        new("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview");

    /// <summary>The path of a VMI subresource, e.g. apis/subresources.kubevirt.io/v1/namespaces/vms/virtualmachineinstances/web01/freeze.</summary>
    public static string VmiSubresourcePath(string @namespace, string name, string subresource) =>
        $"apis/{SubresourceGroup}/v1/namespaces/{Uri.EscapeDataString(@namespace)}/virtualmachineinstances/" +
        $"{Uri.EscapeDataString(name)}/{subresource}";
}

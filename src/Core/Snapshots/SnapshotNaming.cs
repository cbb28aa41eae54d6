using VmSnapshot.Core.Api;

namespace VmSnapshot.Core.Snapshots;

/// <summary>Snapshot names: the console's default form, and the DNS-1123 rule the API server enforces.</summary>
public static class SnapshotNaming
{
    /// <summary>Kubernetes object names (DNS-1123 subdomain) are at most 253 characters.</summary>
    public const int MaxLength = KubeNames.MaxNameLength;

    /// <summary>The OpenShift console's default: &lt;vm&gt;-snapshot-yyyyMMdd-HHmmss (local time).</summary>
    public static string Default(string vmName, DateTime now) => Stamped(vmName, "snapshot", now);

    /// <summary>A VirtualMachineRestore's name: &lt;target&gt;-restore-yyyyMMdd-HHmmss.</summary>
    public static string ForRestore(string targetVm, DateTime now) => Stamped(targetVm, "restore", now);

    /// <summary>A VirtualMachineClone's name: &lt;new vm&gt;-clone-yyyyMMdd-HHmmss.</summary>
    public static string ForClone(string targetVm, DateTime now) => Stamped(targetVm, "clone", now);

    /// <summary>A safety snapshot's name: &lt;vm&gt;-change-yyyyMMdd-HHmmss.</summary>
    public static string ForChange(string vmName, DateTime now) => Stamped(vmName, "change", now);

    private static string Stamped(string vmName, string what, DateTime now)
    {
        string suffix = $"-{what}-{now:yyyyMMdd-HHmmss}";
        string prefix = vmName.Length + suffix.Length > MaxLength ? vmName[..(MaxLength - suffix.Length)] : vmName;
        return prefix.TrimEnd('-', '.') + suffix;
    }

    /// <summary>Returns null when <paramref name="name"/> is a valid DNS-1123 subdomain, else why it is not.</summary>
    public static string? Validate(string name) => KubeNames.NameProblem(name);
}

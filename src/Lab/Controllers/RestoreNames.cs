using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace VmSnapshot.Lab.Controllers;

/// <summary>Names, annotations and reasons of KubeVirt's restore controller (reference §4.2).</summary>
internal static class RestoreNames
{
    public const string Finalizer = "snapshot.kubevirt.io/vmrestore-protection";
    public const string LastRestoreUidAnnotation = "restore.kubevirt.io/lastRestoreUID";
    public const string RestoreNameAnnotation = "restore.kubevirt.io/name";
    public const string SourceVmNameLabel = "restore.kubevirt.io/source-vm-name";
    public const string SourceVmNamespaceLabel = "restore.kubevirt.io/source-vm-namespace";
    public static readonly TimeSpan GracePeriod = TimeSpan.FromMinutes(5);

    public const string Initializing = "Initializing VirtualMachineRestore";
    public const string CreatingPvcs = "Creating new PVCs";
    public const string WaitingForPvcs = "Waiting for new PVCs";
    public const string UpdatingTarget = "Updating target spec";
    public const string WaitingForTarget = "Waiting for target update";
    public const string Complete = "Operation complete";
    public const string Deleting = "VM restore is deleting";
    public const string WaitGrace = "Waiting for target VM to be powered off. Please stop the restore target to proceed with restore, or the operation will fail after 5m0s";
    public const string WaitEventually = "Waiting for target VM to be powered off. Please stop the restore target to proceed with restore";
    public const string GraceExpired = "Restore target failed to be ready within 5m0s. Please power off the target VM before attempting restore";
    public const string StopTarget = "Automatically stopping restore target for restore operation";
    public const string FailImmediate = "Restore target VMI must be powered off before restore operation";
    public const string TargetExists = "restore source and restore target are different but restore target already exists";

    /// <summary>The restored claim's name: an override, else per volumeRestorePolicy (RandomizeNames by default).</summary>
    public static string ClaimName(JsonObject restore, string volumeName, string originalClaim)
    {
        string? overrideName = Obj.Items(restore["spec"]?["volumeRestoreOverrides"])
            .Where(o => Obj.Str(o, "volumeName") == volumeName).Select(o => Obj.Str(o, "restoreName")).FirstOrDefault(n => !string.IsNullOrEmpty(n));
        if (overrideName != null) return overrideName;
        return Obj.Str(restore, "spec", "volumeRestorePolicy") switch
        {
            "InPlace" => originalClaim,
            "PrefixTargetName" => NamingGetName(Obj.Str(restore, "spec", "target", "name") ?? "", volumeName, 63),
            _ => $"restore-{Obj.Uid(restore)}-{volumeName}",
        };
    }

    /// <summary>KubeVirt's naming.GetName: "a-b", or when longer than max a truncation plus a short hash.</summary>
    public static string NamingGetName(string a, string b, int max)
    {
        string name = $"{a}-{b}";
        if (name.Length <= max) return name;
        string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..8].ToLowerInvariant();
        return name[..(max - 9)].TrimEnd('-') + "-" + hash;
    }
}

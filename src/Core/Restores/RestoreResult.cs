using System.Text.Json;

namespace VmSnapshot.Core.Restores;

/// <summary>A restore as last seen: the object for the user and where it stands.</summary>
public sealed record RestoreResult(KubeVirtVMRestore Restore, RestoreProgress Progress)
{
    /// <summary>Reads a VirtualMachineRestore object.</summary>
    public static RestoreResult From(JsonElement restore, string origin) =>
        new(RestoreMapper.FromJson(restore, origin), RestoreProgressRules.Evaluate(restore));
}

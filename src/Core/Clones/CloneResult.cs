using System.Text.Json;

namespace VmSnapshot.Core.Clones;

/// <summary>A clone as last seen: the object for the user and where it stands.</summary>
public sealed record CloneResult(KubeVirtVMClone Object, CloneProgress Progress)
{
    /// <summary>Reads a VirtualMachineClone object.</summary>
    public static CloneResult From(JsonElement clone, string origin) =>
        new(CloneMapper.FromJson(clone, null, origin), CloneProgress.Evaluate(clone));
}

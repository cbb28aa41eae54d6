using System.Text.Json;

namespace VmSnapshot.Core.Health;

/// <summary>What the health rules judge, as read from the cluster at one moment.</summary>
/// <param name="Vm">The VirtualMachine.</param>
/// <param name="Vmi">Its running instance, or null when there is none.</param>
/// <param name="Claims">Each claim the VM's volumes use (by claim name), null when it does not exist.</param>
/// <param name="DataVolumes">Each DataVolume the VM's volumes use (by name), null when it does not exist.</param>
public sealed record HealthInputs(
    JsonElement Vm,
    JsonElement? Vmi,
    IReadOnlyDictionary<string, JsonElement?> Claims,
    IReadOnlyDictionary<string, JsonElement?> DataVolumes);

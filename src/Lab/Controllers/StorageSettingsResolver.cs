using System.Text.Json.Nodes;
using VmSnapshot.Lab.Json;
using VmSnapshot.Lab.Store;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// Finds the emulated CSI behaviour of a StorageClass: the defaults, overridden by the LabSettings entry, overridden
/// by the StorageClass's own annotation (so a test or a user can change one class of a running lab).
/// </summary>
internal sealed class StorageSettingsResolver(LabStore store, ControllerSettings settings)
{
    public StorageBehaviour For(string? storageClassName)
    {
        if (string.IsNullOrEmpty(storageClassName)) return StorageBehaviour.Default;
        StorageBehaviour baseline = settings.StorageClasses.GetValueOrDefault(storageClassName) ?? StorageBehaviour.Default;
        JsonObject? sc = store.Get(Plurals.StorageClasses, null, storageClassName);
        string? text = sc == null ? null : Obj.Annotation(sc, StorageBehaviour.Annotation);
        if (string.IsNullOrWhiteSpace(text)) return baseline;
        try { return StorageBehaviour.Parse(YamlToJson.ParseAll(text).FirstOrDefault(), $"StorageClass {storageClassName} annotation {StorageBehaviour.Annotation}", baseline); }
        catch (Exception ex) when (ex is FormatException or YamlDotNet.Core.YamlException) { return baseline; }
    }

    /// <summary>The StorageClass a PVC uses: spec.storageClassName, else the default class (annotation is-default-class).</summary>
    public string? ClassOf(JsonObject pvc)
    {
        string? name = Obj.Str(pvc, "spec", "storageClassName");
        if (name != null) return name;
        return store.List(Plurals.StorageClasses).Where(sc => Obj.Annotation(sc, "storageclass.kubernetes.io/is-default-class") == "true").Select(Obj.Name).FirstOrDefault();
    }
}

using System.Management.Automation;
using VmSnapshot.Core.Connection;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>Runs when the module is imported: starts getting the Kubernetes client ready in the background.</summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer
{
    /// <inheritdoc/>
    public void OnImport() => ClientWarmup.Start();
}

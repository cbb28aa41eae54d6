using System.Reflection;
using System.Runtime.Loader;

namespace VmSnapshot;

/// <summary>
/// The module's own AssemblyLoadContext. KubernetesClient, YamlDotNet and our engine load here, so a session that
/// already holds another YamlDotNet (powershell-yaml, Az.Aks, platyPS) can still import VmSnapshot, and ours cannot
/// break theirs. This assembly is the bridge: it lives in the default context (the psm1 loads it with Add-Type) and
/// is handed back whenever the isolated assemblies ask for it, so the public types have one identity everywhere.
/// </summary>
public sealed class LoadContext : AssemblyLoadContext
{
    private const string MainAssemblyName = "VmSnapshot";

    private static readonly object s_sync = new();
    private static LoadContext? s_instance;

    private readonly string _assemblyDirectory;
    private readonly Assembly _sharedAssembly;
    private readonly AssemblyName _sharedAssemblyName;

    private LoadContext(string assemblyDirectory)
        : base(name: "VmSnapshot", isCollectible: false)
    {
        _assemblyDirectory = assemblyDirectory;
        _sharedAssembly = typeof(LoadContext).Assembly;
        _sharedAssemblyName = _sharedAssembly.GetName();
    }

    /// <summary>
    /// Creates the context once per process and returns the module's cmdlet assembly loaded inside it. Later calls
    /// (Import-Module -Force, a second runspace, ThreadJob) get the same assembly: an assembly cannot be unloaded
    /// from a non-collectible context, and reusing it keeps type identity stable across runspaces.
    /// </summary>
    public static Assembly Initialize()
    {
        lock (s_sync)
        {
            if (s_instance is null)
            {
                string directory = Path.GetDirectoryName(typeof(LoadContext).Assembly.Location)
                    ?? throw new InvalidOperationException("Cannot locate the VmSnapshot assembly folder.");
                s_instance = new LoadContext(directory);
            }

            return s_instance.LoadFromAssemblyName(new AssemblyName(MainAssemblyName));
        }
    }

    /// <inheritdoc/>
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (AssemblyName.ReferenceMatchesDefinition(_sharedAssemblyName, assemblyName))
        {
            return _sharedAssembly;
        }

        // Only assemblies shipped beside us load here; everything else (System.*, System.Management.Automation)
        // falls back to the default context by returning null.
        string candidate = Path.Combine(_assemblyDirectory, $"{assemblyName.Name}.dll");
        return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
    }
}

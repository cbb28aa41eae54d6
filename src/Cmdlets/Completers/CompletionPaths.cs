using System.Management.Automation;

namespace VmSnapshot.Commands.Completers;

/// <summary>
/// File paths as the command line means them: relative to PowerShell's current location, which is not the
/// process's current directory.
/// </summary>
internal static class CompletionPaths
{
    /// <summary>PowerShell's current file-system location; the process directory when it cannot be read.</summary>
    public static string CurrentDirectory()
    {
        try
        {
            // A nested pipeline on the current runspace is how a completer may read session state.
            using PowerShell shell = PowerShell.Create(RunspaceMode.CurrentRunspace);
            shell.AddCommand(@"Microsoft.PowerShell.Management\Get-Location").AddParameter("PSProvider", "FileSystem");
            if (shell.Invoke<PathInfo>().FirstOrDefault()?.ProviderPath is { Length: > 0 } location)
            {
                return location;
            }
        }
        catch (Exception)
        {
            // Fall back below: a completer never fails.
        }

        return Environment.CurrentDirectory;
    }

    /// <summary>A typed path made absolute against the current location.</summary>
    public static string Resolve(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith(@"~\", StringComparison.Ordinal)
            ? Path.Join(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[1..].TrimStart('/', '\\'))
            : Path.GetFullPath(path, CurrentDirectory());
}

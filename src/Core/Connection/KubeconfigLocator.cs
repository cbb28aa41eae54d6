namespace VmSnapshot.Core.Connection;

/// <summary>Finds the kubeconfig files the way kubectl does: KUBECONFIG (several files, first wins), else ~/.kube/config.</summary>
public static class KubeconfigLocator
{
    /// <summary>The files to read when no -Kubeconfig was given; may name files that do not exist.</summary>
    public static IReadOnlyList<string> DefaultPaths()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("KUBECONFIG");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            // Like kubectl: KUBECONFIG replaces ~/.kube/config entirely; files in it that do not exist are skipped,
            // and when none exists the first is returned so the error names the file the user asked for.
            string[] paths = fromEnvironment
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            string[] existing = paths.Where(File.Exists).ToArray();
            if (paths.Length > 0)
            {
                return existing.Length > 0 ? existing : new[] { paths[0] };
            }
        }

        string home = Environment.GetEnvironmentVariable("HOME")
            ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return new[] { Path.Combine(home, ".kube", "config") };
    }
}

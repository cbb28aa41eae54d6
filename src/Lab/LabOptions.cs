namespace VmSnapshot.Lab;

/// <summary>How to start a lab.</summary>
public sealed class LabOptions
{
    /// <summary>0 = pick a free loopback port.</summary>
    public int Port { get; init; }
    /// <summary>Built-in scenario name ("default", "empty") or a path to a YAML file; null = "default".</summary>
    public string? Scenario { get; init; }
    public bool UseTls { get; init; }
    /// <summary>Where to write the kubeconfig; null = a new file under Path.GetTempPath().</summary>
    public string? KubeconfigPath { get; init; }
    /// <summary>Cluster, context and user names in the kubeconfig.</summary>
    public string Name { get; init; } = "kubevirt-lab";
    /// <summary>How often watches with allowWatchBookmarks=true get a BOOKMARK (the apiserver: about a minute).</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Events kept per resource type for watches from a resourceVersion; older ones get 410 Expired.</summary>
    public int WatchHistorySize { get; init; } = 1000;
    /// <summary>Largest accepted request body; the apiserver's limit is 3 MiB.</summary>
    public int MaxRequestBodyBytes { get; init; } = 3 * 1024 * 1024;
    /// <summary>
    /// Lab seconds per wall second for the emulated controllers (deadlines, CSI and guest-agent delays). Left at 1,
    /// the scenario's LabSettings clockSpeed applies (if any). Tests use 100 or more.
    /// </summary>
    public double ClockSpeed { get; init; } = 1;
    /// <summary>Run the emulated KubeVirt/CSI controllers, admission webhooks and subresources (false: a bare apiserver).</summary>
    public bool RunControllers { get; init; } = true;
}

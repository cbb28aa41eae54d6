namespace VmSnapshot.Core.Changes;

/// <summary>
/// What the engine needs from whoever runs a change: the change itself and the user's own health check (script blocks,
/// which only the PowerShell face can run), and somewhere to report progress.
/// </summary>
public interface IChangeHost
{
    /// <summary>Runs the change on one VM; null when it succeeded, else why it failed.</summary>
    Task<string?> RunChangeAsync(KubeVirtChangeContext context, CancellationToken cancelToken);

    /// <summary>The user's own health check, or null.</summary>
    Func<KubeVirtVMHealth, CancellationToken, Task<VMHealthCheck>>? UserHealthCheck { get; }

    /// <summary>Reports a step of one VM's change (progress and verbose); called from any thread.</summary>
    void Report(KubeVirtVMChange change, string step, string message);
}

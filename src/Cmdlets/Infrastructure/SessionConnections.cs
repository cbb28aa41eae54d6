using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using VmSnapshot.Core.Connection;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// The default connection of each runspace. Azure Automation runs several jobs in one process and ThreadJob or
/// Pester run runspaces side by side, so nothing here is process-wide: each runspace has its own slot, and a slot
/// disappears with its runspace.
/// </summary>
internal static class SessionConnections
{
    private static readonly ConditionalWeakTable<Runspace, Slot> s_slots = new();

    /// <summary>The connection set by Connect-KubeVirt in this runspace, if any.</summary>
    public static KubeVirtConnection? Current
    {
        get => CurrentSlot()?.Explicit;
        set
        {
            Slot slot = s_slots.GetValue(Runspace.DefaultRunspace, _ => new Slot());
            slot.Explicit = value;
            slot.Refusal = null;
        }
    }

    /// <summary>
    /// Clears the session's connection to a lab that Stop-KubeVirtLab stopped, and remembers why. The next command
    /// without -Connection or -Context is refused rather than sent to the kubeconfig's current context: a script that
    /// was tested against the lab must not go on against whatever cluster that context names (often production).
    /// Connect-KubeVirt, Disconnect-KubeVirt and Start-KubeVirtLab -Connect each say which cluster comes next, and
    /// clear this.
    /// </summary>
    public static void ClearStoppedLab(string labName) => Refuse(new ConnectionException(ConnectionFailure.LabStopped,
        $"This session was connected to lab '{labName}', which was stopped. Commands do not move on to the " +
        "kubeconfig's current context by themselves, so nothing was sent anywhere.", labName));

    /// <summary>
    /// Clears the session's connection after a Connect-KubeVirt that failed: a runbook that goes on after the failed
    /// connect (no -ErrorAction Stop) must not act on the cluster it was connected to before, nor on the kubeconfig's
    /// current context, when it meant another cluster.
    /// </summary>
    public static void ClearAfterFailedConnect(string target) => Refuse(new ConnectionException(ConnectionFailure.LastConnectFailed,
        $"This session's last Connect-KubeVirt (to {target}) failed, so the session is connected to no cluster: " +
        "commands do not go on against the cluster it was connected to before, nor the kubeconfig's current " +
        "context. Nothing was sent anywhere.", target));

    private static void Refuse(ConnectionException refusal)
    {
        Slot slot = s_slots.GetValue(Runspace.DefaultRunspace, _ => new Slot());
        slot.Explicit = null;
        slot.Refusal = refusal;
    }

    /// <summary>
    /// The connection a command uses: an explicit -Connection, else -Context from the current kubeconfig, else the
    /// session's Connect-KubeVirt connection, else the kubeconfig's current context. Shared by the cmdlets and the
    /// argument completers; <paramref name="runspace"/> lets a completer resolve off the pipeline thread.
    /// </summary>
    public static KubeVirtConnection Resolve(KubeVirtConnection? connection, string? context, Runspace runspace)
    {
        if (connection is not null)
        {
            return connection;
        }

        if (context is not null)
        {
            return Implicit(context, runspace);
        }

        s_slots.TryGetValue(runspace, out Slot? slot);
        if (slot?.Explicit is { } current)
        {
            return current;
        }

        return slot?.Refusal is { } refusal
            ? throw new ConnectionException(refusal.Failure, refusal.Message, refusal.Target)
            : Implicit(context: null, runspace);
    }

    /// <summary>
    /// The connection to use when Connect-KubeVirt was not called: the current kubeconfig context, as kubectl would
    /// use it. Cached per runspace while the kubeconfig files are unchanged, so consecutive commands share one client.
    /// </summary>
    private static KubeVirtConnection Implicit(string? context, Runspace runspace)
    {
        IReadOnlyList<string> paths = KubeconfigLocator.DefaultPaths();
        string key = string.Join("|", paths.Select(p => $"{p}@{(File.Exists(p) ? File.GetLastWriteTimeUtc(p).Ticks : 0)}"))
            + $"#{context}";
        Slot slot = s_slots.GetValue(runspace, _ => new Slot());
        lock (slot)
        {
            if (slot.ImplicitKey != key || slot.Implicit is null)
            {
                slot.Implicit = ConnectionFactory.FromKubeconfig(paths, context, @namespace: null);
                slot.ImplicitKey = key;
            }

            return slot.Implicit;
        }
    }

    private static Slot? CurrentSlot() =>
        Runspace.DefaultRunspace is { } runspace && s_slots.TryGetValue(runspace, out Slot? slot) ? slot : null;

    private sealed class Slot
    {
        public KubeVirtConnection? Explicit { get; set; }

        public KubeVirtConnection? Implicit { get; set; }

        public string? ImplicitKey { get; set; }

        /// <summary>Why <see cref="Explicit"/> was cleared (a lab stopped, a connect failed); null once a cluster is chosen again.</summary>
        public ConnectionException? Refusal { get; set; }
    }
}

using System.Collections;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Core.Connection;

namespace VmSnapshot.Commands.Completers;

/// <summary>
/// Where a completion looks, from the parameters already typed on the command line (fakeBoundParameters):
/// -Connection, -Context, -Namespace and -AllNamespaces, resolved by the same rule as the command itself.
/// </summary>
internal sealed class CompletionScope
{
    private static readonly ConcurrentDictionary<string, KubeVirtConnection> s_beforeConnect = new();

    private CompletionScope(IDictionary? bound)
    {
        Connection = Value(bound, "Connection") as KubeVirtConnection;
        Context = Strings(bound, "Context").FirstOrDefault();
        Namespace = Strings(bound, "Namespace").FirstOrDefault();
        AllNamespaces = Value(bound, "AllNamespaces") is SwitchParameter { IsPresent: true } or true;
    }

    /// <summary>The -Connection typed, if any.</summary>
    public KubeVirtConnection? Connection { get; }

    /// <summary>The -Context typed, if any.</summary>
    public string? Context { get; }

    /// <summary>The -Namespace typed; null means the connection's namespace.</summary>
    public string? Namespace { get; }

    /// <summary>True when -AllNamespaces is typed.</summary>
    public bool AllNamespaces { get; }

    /// <summary>
    /// Connect-KubeVirt's -Kubeconfig files (full paths): when set, the connection is the one Connect-KubeVirt
    /// would make from them, not the session's.
    /// </summary>
    public IReadOnlyList<string>? Kubeconfig { get; private init; }

    /// <summary>The scope of a cluster command's completion.</summary>
    public static CompletionScope Of(IDictionary? fakeBoundParameters) => new(fakeBoundParameters);

    /// <summary>
    /// The scope of Connect-KubeVirt's completion: no connection exists yet, so it is the kubeconfig typed (or the
    /// default one) and the -Context typed (or the kubeconfig's current one), never the session's connection.
    /// </summary>
    public static CompletionScope BeforeConnect(IDictionary? fakeBoundParameters) => new(fakeBoundParameters)
    {
        Kubeconfig = Strings(fakeBoundParameters, "Kubeconfig").Select(CompletionPaths.Resolve).ToArray() is { Length: > 0 } files
            ? files
            : KubeconfigLocator.DefaultPaths(),
    };

    /// <summary>The connection to read through. Called off the pipeline thread, within the completion budget.</summary>
    public KubeVirtConnection Connect(Runspace runspace, CancellationToken cancelToken)
    {
        if (Kubeconfig is null)
        {
            return SessionConnections.Resolve(Connection, Context, runspace);
        }

        // Kept while the files are unchanged, so repeated Tabs reuse one client (and the cache keyed by it).
        string key = string.Join("|", Kubeconfig.Select(p => $"{p}@{(File.Exists(p) ? File.GetLastWriteTimeUtc(p).Ticks : 0)}"))
            + $"#{Context}";
        return s_beforeConnect.GetOrAdd(key, _ =>
            ConnectionFactory.FromKubeconfig(Kubeconfig, Context, @namespace: null, CompletionCache.Budget, cancelToken));
    }

    /// <summary>The strings typed for a parameter (one or several); empty when it is not typed.</summary>
    public static IReadOnlyList<string> Strings(IDictionary? bound, string name) => Value(bound, name) switch
    {
        string one when one.Length > 0 => [one],
        IEnumerable many and not string => many.Cast<object?>()
            .Select(v => (v is PSObject p ? p.BaseObject : v) as string)
            .OfType<string>()
            .Where(s => s.Length > 0)
            .ToArray(),
        _ => [],
    };

    private static object? Value(IDictionary? bound, string name) =>
        bound is not null && bound.Contains(name) ? bound[name] is PSObject wrapped ? wrapped.BaseObject : bound[name] : null;
}

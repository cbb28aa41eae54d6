using System.Collections.Concurrent;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Core.Completion;

namespace VmSnapshot.Commands.Completers;

/// <summary>
/// The cluster reads of tab completion: each answer is kept a few seconds per connection, namespace and kind (Tab is
/// pressed in bursts), and each read, connection included, gets one short budget. A slow or unreachable cluster,
/// a refused credential or anything else yields nothing: completion must never throw, prompt or hang the prompt.
/// </summary>
internal static class CompletionCache
{
    /// <summary>How long an answer is reused.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);

    /// <summary>How long a Tab may wait for the cluster, connecting included.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(700);

    private static readonly ConditionalWeakTable<KubeVirtConnection, ConcurrentDictionary<string, Entry>> s_entries = new();

    /// <summary>
    /// The names <paramref name="read"/> returns for the connection <paramref name="scope"/> resolves to, from the
    /// cache when fresh; empty when the budget runs out or anything fails.
    /// </summary>
    public static IReadOnlyList<CompletionName> Get(CompletionScope scope, string kind,
        Func<KubeVirtConnection, string?, CancellationToken, Task<IReadOnlyList<CompletionName>>> read)
    {
        Runspace? runspace = Runspace.DefaultRunspace;
        if (runspace is null)
        {
            return Array.Empty<CompletionName>();
        }

        CancellationTokenSource budget = new(Budget);
        try
        {
            // Resolving runs inside the budget too: a kubeconfig exec plugin may take its time.
            Task<IReadOnlyList<CompletionName>> task = Task.Run(async () =>
            {
                KubeVirtConnection connection = scope.Connect(runspace, budget.Token);
                string? @namespace = scope.AllNamespaces ? null : scope.Namespace ?? connection.Namespace;
                string key = $"{kind}|{@namespace ?? "*"}";
                ConcurrentDictionary<string, Entry> entries = s_entries.GetOrCreateValue(connection);
                if (entries.TryGetValue(key, out Entry? cached) && DateTime.UtcNow - cached.ReadAt < Lifetime)
                {
                    return cached.Names;
                }

                IReadOnlyList<CompletionName> names = await read(connection, @namespace, budget.Token).ConfigureAwait(false);
                entries[key] = new Entry(names, DateTime.UtcNow);
                return names;
            }, budget.Token);
            _ = task.ContinueWith(_ => budget.Dispose(), TaskScheduler.Default);
            return task.Wait(Budget) ? task.Result : Array.Empty<CompletionName>();
        }
        catch (Exception)
        {
            // Unreachable, refused, cancelled, a bad kubeconfig: Tab offers nothing rather than an error.
            return Array.Empty<CompletionName>();
        }
    }

    private sealed record Entry(IReadOnlyList<CompletionName> Names, DateTime ReadAt);
}

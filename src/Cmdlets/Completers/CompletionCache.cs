using System.Collections.Concurrent;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using VmSnapshot.Core.Completion;

namespace VmSnapshot.Commands.Completers;

/// <summary>
/// The cluster reads of tab completion. A Tab waits at most <see cref="Budget"/>, connecting included; a read that
/// takes longer goes on in the background (up to <see cref="ReadLimit"/>) and the next Tab offers its answer. Answers
/// are kept <see cref="Lifetime"/> per connection, namespace and kind, as Tab is pressed in bursts. A slow or
/// unreachable cluster, a refused credential or anything else yields nothing: completion never throws, prompts or
/// hangs the prompt.
/// </summary>
internal static class CompletionCache
{
    /// <summary>How long an answer is reused.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);

    /// <summary>How long a Tab may wait for the cluster, connecting included.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(700);

    /// <summary>How long a read may go on after the Tab that started it gave up.</summary>
    public static readonly TimeSpan ReadLimit = TimeSpan.FromSeconds(10);

    private static readonly ConditionalWeakTable<KubeVirtConnection, ConcurrentDictionary<string, Entry>> s_entries = new();

    /// <summary>
    /// The names <paramref name="read"/> returns for the connection <paramref name="scope"/> resolves to, from the
    /// cache when fresh (or in flight); empty when the budget runs out or anything fails.
    /// </summary>
    public static IReadOnlyList<CompletionName> Get(CompletionScope scope, string kind,
        Func<KubeVirtConnection, string?, CancellationToken, Task<IReadOnlyList<CompletionName>>> read)
    {
        Runspace? runspace = Runspace.DefaultRunspace;
        if (runspace is null)
        {
            return Array.Empty<CompletionName>();
        }

        try
        {
            // Resolving runs inside the budget too: a kubeconfig exec plugin may take its time.
            Task<IReadOnlyList<CompletionName>> task = Task.Run(async () =>
            {
                using CancellationTokenSource connecting = new(Budget);
                KubeVirtConnection connection = scope.Connect(runspace, connecting.Token);
                string? @namespace = scope.AllNamespaces ? null : scope.Namespace ?? connection.Namespace;
                Entry entry = s_entries.GetOrCreateValue(connection).AddOrUpdate($"{kind}|{@namespace ?? "*"}",
                    _ => Entry.Start(read, connection, @namespace),
                    (_, old) => old.IsUsable ? old : Entry.Start(read, connection, @namespace));
                return await entry.Names.ConfigureAwait(false);
            });
            return task.Wait(Budget) ? task.Result : Array.Empty<CompletionName>();
        }
        catch (Exception)
        {
            // Unreachable, refused, a bad kubeconfig: Tab offers nothing rather than an error.
            return Array.Empty<CompletionName>();
        }
    }

    private sealed record Entry(Task<IReadOnlyList<CompletionName>> Names, DateTime StartedAt)
    {
        /// <summary>In flight, or answered within the lifetime. A failed read is tried again at the next Tab.</summary>
        public bool IsUsable => !Names.IsFaulted && !Names.IsCanceled && DateTime.UtcNow - StartedAt < Lifetime;

        public static Entry Start(Func<KubeVirtConnection, string?, CancellationToken, Task<IReadOnlyList<CompletionName>>> read,
            KubeVirtConnection connection, string? @namespace)
        {
            CancellationTokenSource limit = new(ReadLimit);
            Task<IReadOnlyList<CompletionName>> names = read(connection, @namespace, limit.Token);
            _ = names.ContinueWith(t =>
            {
                _ = t.Exception; // observed: a read no Tab waited for still must not surface as unobserved
                limit.Dispose();
            }, TaskScheduler.Default);
            return new Entry(names, DateTime.UtcNow);
        }
    }
}

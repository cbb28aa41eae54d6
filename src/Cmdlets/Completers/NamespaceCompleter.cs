using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Core.Completion;

namespace VmSnapshot.Commands.Completers;

/// <summary>
/// Completes -Namespace with the namespaces the caller may list, plus the namespace of the -Connection typed or of the
/// session's connection (so a user who may not list namespaces still gets that one, as before). For Connect-KubeVirt, before any connection exists, it reads
/// through the kubeconfig and context typed (else the default kubeconfig and its current context); with -Server or
/// -InCluster it offers nothing, as the credential typed there cannot be read from the command line.
/// </summary>
public sealed class NamespaceCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName,
        string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        bool beforeConnect = string.Equals(commandName, "Connect-KubeVirt", StringComparison.OrdinalIgnoreCase);
        if (beforeConnect && fakeBoundParameters is not null &&
            (fakeBoundParameters.Contains("Server") || fakeBoundParameters.Contains("InCluster")))
        {
            return Array.Empty<CompletionResult>();
        }

        CompletionScope scope = beforeConnect
            ? CompletionScope.BeforeConnect(fakeBoundParameters)
            : CompletionScope.Of(fakeBoundParameters);
        IReadOnlyList<CompletionName> namespaces = CompletionCache.Get(scope, "namespaces",
            (connection, _, cancelToken) => CompletionNameReader.NamespacesAsync(connection, cancelToken));
        string? own = beforeConnect ? null : scope.Connection?.Namespace ?? (scope.Context is null ? SessionConnections.Current?.Namespace : null);
        List<(string, string?)> candidates = namespaces.Select(n => (n.Name, (string?)$"Namespace {n.Name}")).ToList();
        if (own is not null)
        {
            candidates.Add((own, $"Namespace {own} (the connection's)"));
        }

        return CompletionResults.For(wordToComplete, candidates);
    }
}

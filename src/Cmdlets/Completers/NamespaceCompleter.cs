using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using VmSnapshot.Commands.Infrastructure;

namespace VmSnapshot.Commands.Completers;

/// <summary>
/// Completes -Namespace with the session connection's default namespace. It deliberately does not list namespaces
/// over the network: completion runs on every Tab press and must stay instant even when the cluster is slow.
/// </summary>
public sealed class NamespaceCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName,
        string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string? current = SessionConnections.Current?.Namespace;
        if (current is not null && current.StartsWith(wordToComplete, StringComparison.OrdinalIgnoreCase))
        {
            yield return new CompletionResult(current, current, CompletionResultType.ParameterValue, current);
        }
    }
}

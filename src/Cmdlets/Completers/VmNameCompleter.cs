using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using VmSnapshot.Core.Completion;

namespace VmSnapshot.Commands.Completers;

/// <summary>
/// Completes VM names from the cluster: the namespace typed with -Namespace (every namespace with -AllNamespaces),
/// else the connection's, through the connection -Connection or -Context names, else the session's.
/// </summary>
public sealed class VmNameCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName,
        string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IReadOnlyList<CompletionName> vms = CompletionCache.Get(CompletionScope.Of(fakeBoundParameters), "vms",
            CompletionNameReader.VmsAsync);
        return CompletionResults.For(wordToComplete, vms.Select(vm => (vm.Name, (string?)$"VM {vm.Namespace}/{vm.Name}")));
    }
}

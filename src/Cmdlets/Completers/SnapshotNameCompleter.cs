using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using VmSnapshot.Core.Completion;

namespace VmSnapshot.Commands.Completers;

/// <summary>
/// Completes snapshot names from the cluster, in the scope <see cref="VmNameCompleter"/> uses, narrowed to the VMs
/// typed with -VMName (names or wildcards) when there are any.
/// </summary>
public sealed class SnapshotNameCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName,
        string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        WildcardPattern[] vmNames = CompletionScope.Strings(fakeBoundParameters, "VMName")
            .Select(n => WildcardPattern.Get(n, WildcardOptions.IgnoreCase))
            .ToArray();
        IReadOnlyList<CompletionName> snapshots = CompletionCache.Get(CompletionScope.Of(fakeBoundParameters), "snapshots",
            CompletionNameReader.SnapshotsAsync);
        return CompletionResults.For(wordToComplete, snapshots
            .Where(s => vmNames.Length == 0 || vmNames.Any(p => IsMatch(p, s.Owner)))
            .Select(s => (s.Name, (string?)$"Snapshot {s.Namespace}/{s.Name} of VM {s.Owner}")));
    }

    private static bool IsMatch(WildcardPattern pattern, string? vmName)
    {
        try
        {
            return vmName is not null && pattern.IsMatch(vmName);
        }
        catch (WildcardPatternException)
        {
            return false; // a VM name typed half-way ("db[") narrows to nothing rather than failing
        }
    }
}

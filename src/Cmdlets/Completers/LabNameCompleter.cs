using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using VmSnapshot.Commands.Infrastructure;

namespace VmSnapshot.Commands.Completers;

/// <summary>Completes lab names from the labs running in this process. No network.</summary>
public sealed class LabNameCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName,
        string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionResults.For(wordToComplete, LabRegistry.All()
            .Select(lab => (lab.Name, (string?)$"Lab {lab.Name} at {lab.Server} (scenario {lab.Scenario})")));
}

using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using VmSnapshot.Lab.Scenarios;

namespace VmSnapshot.Commands.Completers;

/// <summary>
/// Completes Start-KubeVirtLab -Scenario: the built-in scenarios, the "scale:" prefix of the generated ones, and
/// scenario files (*.yaml, *.yml) in the current location or the folder typed. Reads the folder only.
/// </summary>
public sealed class ScenarioCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName,
        string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        List<(string, string?)> candidates = Scenario.BuiltInNames
            .Select(name => (name, (string?)$"Built-in scenario '{name}'"))
            .ToList();
        candidates.Add(("scale:", "scale:NxM: N namespaces with M running VMs each, e.g. scale:10x50"));
        candidates.AddRange(Files(wordToComplete.Trim('\'', '"')));
        return CompletionResults.For(wordToComplete, candidates);
    }

    private static IEnumerable<(string, string?)> Files(string typed)
    {
        try
        {
            int slash = typed.LastIndexOfAny(['/', '\\']);
            string folderTyped = slash < 0 ? string.Empty : typed[..(slash + 1)];
            string folder = folderTyped.Length == 0 ? CompletionPaths.CurrentDirectory() : CompletionPaths.Resolve(folderTyped);
            return Directory.EnumerateFiles(folder, "*.y*ml")
                .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                .Select(f => (folderTyped + Path.GetFileName(f), (string?)f))
                .ToArray();
        }
        catch (Exception)
        {
            return []; // a folder that does not exist or cannot be read offers no files
        }
    }
}

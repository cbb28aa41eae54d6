using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using k8s;
using k8s.KubeConfigModels;
using VmSnapshot.Core.Connection;

namespace VmSnapshot.Commands.Completers;

/// <summary>Completes -Context from the contexts of the current kubeconfig. Reads the file only; never the network.</summary>
public sealed class KubeconfigContextCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName,
        string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        WildcardPattern pattern = WildcardPattern.Get(wordToComplete + "*", WildcardOptions.IgnoreCase);
        List<CompletionResult> results = new();
        try
        {
            foreach (string path in KubeconfigLocator.DefaultPaths().Where(File.Exists))
            {
                foreach (Context? context in KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(path)).Contexts ?? [])
                {
                    if (pattern.IsMatch(context.Name) && results.All(r => r.CompletionText != context.Name))
                    {
                        results.Add(new CompletionResult(context.Name, context.Name, CompletionResultType.ParameterValue,
                            $"{context.Name} (namespace {context.ContextDetails?.Namespace ?? "default"})"));
                    }
                }
            }
        }
        catch (Exception)
        {
            // Completion must never throw at the user; an unreadable kubeconfig simply offers nothing.
        }

        return results;
    }
}

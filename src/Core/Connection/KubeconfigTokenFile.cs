using YamlDotNet.RepresentationModel;

namespace VmSnapshot.Core.Connection;

/// <summary>
/// A kubeconfig user's <c>tokenFile</c> (client-go reads the bearer token from that file and re-reads it as it
/// changes: rest/transport token_source.go). KubernetesClient's kubeconfig model has no such field, so a user with only
/// a tokenFile failed with "does not have appropriate auth credentials"; this reads it from the files themselves.
/// </summary>
internal static class KubeconfigTokenFile
{
    /// <summary>The tokenFile of user <paramref name="userName"/> in the first file that defines the user, or null.</summary>
    public static string? Find(IReadOnlyList<string> files, string? userName)
    {
        if (string.IsNullOrEmpty(userName))
        {
            return null;
        }

        foreach (string file in files)
        {
            YamlStream yaml = new();
            using (StreamReader reader = File.OpenText(file))
            {
                yaml.Load(reader);
            }

            if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root ||
                !root.Children.TryGetValue(new YamlScalarNode("users"), out YamlNode? users) || users is not YamlSequenceNode list)
            {
                continue;
            }

            foreach (YamlMappingNode entry in list.Children.OfType<YamlMappingNode>())
            {
                if (entry.Children.TryGetValue(new YamlScalarNode("name"), out YamlNode? name) && name.ToString() == userName)
                {
                    // The first file that names the user wins, as kubectl merges.
                    return entry.Children.TryGetValue(new YamlScalarNode("user"), out YamlNode? user) && user is YamlMappingNode details &&
                           details.Children.TryGetValue(new YamlScalarNode("tokenFile"), out YamlNode? path) && path.ToString() is { Length: > 0 } text
                        ? Path.GetFullPath(text, Path.GetDirectoryName(Path.GetFullPath(file)) ?? ".")
                        : null;
                }
            }
        }

        return null;
    }
}

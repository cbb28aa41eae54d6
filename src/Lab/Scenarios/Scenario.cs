using System.Reflection;
using System.Text.Json.Nodes;
using VmSnapshot.Lab.Auth;
using VmSnapshot.Lab.Json;

namespace VmSnapshot.Lab.Scenarios;

/// <summary>
/// A scenario: ordinary Kubernetes manifests (multi-document YAML, status kept as given) plus optionally one
/// lab.vmsnapshot.io/v1 LabSettings document (context namespace, extra users with RBAC-style rules).
/// See Scenarios/README.md.
/// </summary>
public sealed class Scenario
{
    public const string SettingsApiVersion = "lab.vmsnapshot.io/v1";

    public string Name { get; init; } = "";
    public string? Namespace { get; init; }
    public IReadOnlyList<LabUser> Users { get; init; } = [];
    public IReadOnlyList<JsonObject> Objects { get; init; } = [];
    /// <summary>The raw LabSettings document (the controllers read clockSpeed, guestAgents, storageClasses, ... from it).</summary>
    public JsonObject? Settings { get; init; }

    /// <summary>The names of the scenarios built into the assembly ("default", "empty").</summary>
    public static IReadOnlyList<string> BuiltInNames { get; } = typeof(Scenario).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith("VmSnapshot.Lab.Scenarios.", StringComparison.Ordinal) && n.EndsWith(".yaml", StringComparison.Ordinal))
        .Select(n => n["VmSnapshot.Lab.Scenarios.".Length..^".yaml".Length]).ToList();

    /// <summary>A built-in name or a path to a YAML file; null means "default".</summary>
    public static Scenario Load(string? nameOrPath)
    {
        nameOrPath ??= "default";
        if (ScaleScenario.TryParseName(nameOrPath, out int namespaces, out int vmsPerNamespace)) return ScaleScenario.Generate(namespaces, vmsPerNamespace);
        if (BuiltInNames.Contains(nameOrPath))
        {
            using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"VmSnapshot.Lab.Scenarios.{nameOrPath}.yaml")!;
            using StreamReader reader = new(stream);
            return Parse(reader.ReadToEnd(), nameOrPath);
        }
        if (!File.Exists(nameOrPath))
            throw new FileNotFoundException($"Scenario '{nameOrPath}' is neither a built-in scenario ({string.Join(", ", BuiltInNames)}, scale:NxM) nor an existing file.", nameOrPath);
        return Parse(File.ReadAllText(nameOrPath), Path.GetFileNameWithoutExtension(nameOrPath));
    }

    public static Scenario Parse(string yaml, string name)
    {
        List<JsonNode?> docs;
        try { docs = YamlToJson.ParseAll(yaml); }
        catch (YamlDotNet.Core.YamlException ex) { throw new FormatException($"Scenario '{name}' is not valid YAML: {ex.Message}", ex); }

        string? ns = null;
        JsonObject? settings = null;
        List<LabUser> users = new();
        List<JsonObject> objects = new();
        int index = 0;
        foreach (JsonNode? doc in docs)
        {
            index++;
            if (doc == null) continue; // empty document (a trailing ---)
            if (doc is not JsonObject obj) throw new FormatException($"Scenario '{name}', document {index}: expected a mapping.");
            if (JsonUtil.Str(obj["kind"]) == "LabSettings")
            {
                if (JsonUtil.Str(obj["apiVersion"]) != SettingsApiVersion)
                    throw new FormatException($"Scenario '{name}', document {index}: LabSettings must have apiVersion {SettingsApiVersion}.");
                ns = JsonUtil.Str(obj["namespace"]);
                settings = obj;
                foreach (JsonObject u in (obj["users"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    users.Add(new LabUser
                    {
                        Name = JsonUtil.Str(u["name"]) ?? throw new FormatException($"Scenario '{name}': a user has no name."),
                        Token = JsonUtil.Str(u["token"]) ?? throw new FormatException($"Scenario '{name}': user '{JsonUtil.Str(u["name"])}' has no token."),
                        Rules = (u["rules"] as JsonArray ?? []).OfType<JsonObject>().Select(r => new AccessRule
                        {
                            ApiGroups = Strings(r["apiGroups"]),
                            Resources = Strings(r["resources"]),
                            Verbs = Strings(r["verbs"]),
                            ResourceNames = Strings(r["resourceNames"]),
                        }).ToList(),
                    });
                }

                continue;
            }
            if (JsonUtil.Str(obj["apiVersion"]) == null || JsonUtil.Str(obj["kind"]) == null || JsonUtil.Str(obj["metadata"]?["name"]) == null)
                throw new FormatException($"Scenario '{name}', document {index}: apiVersion, kind and metadata.name are required.");
            objects.Add(obj);
        }
        return new Scenario { Name = name, Namespace = ns, Users = users, Objects = objects, Settings = settings };
    }

    private static List<string> Strings(JsonNode? node) => (node as JsonArray ?? []).Select(n => n?.ToString() ?? "").ToList();
}

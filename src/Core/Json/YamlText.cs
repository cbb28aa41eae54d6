using System.Text.Json.Nodes;
using YamlDotNet.Serialization;

namespace VmSnapshot.Core.Json;

/// <summary>Emits an API object as YAML with YamlDotNet, quoting strings YAML would otherwise misread ("true", "1.10").</summary>
public static class YamlText
{
    private static readonly ISerializer s_serializer = new SerializerBuilder().WithQuotingNecessaryStrings().Build();

    public static string From(JsonNode node) => s_serializer.Serialize(ToPlain(node));

    private static object? ToPlain(JsonNode? node) => node switch
    {
        JsonObject o => o.ToDictionary(p => p.Key, p => ToPlain(p.Value)),
        JsonArray a => a.Select(ToPlain).ToList(),
        JsonValue v => v.ToString(),
        _ => null,
    };
}

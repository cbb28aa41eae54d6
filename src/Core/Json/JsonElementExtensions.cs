using System.Globalization;
using System.Text.Json;

namespace VmSnapshot.Core.Json;

/// <summary>
/// Null-tolerant navigation of API objects: a missing field reads as "undefined" instead of throwing, because
/// status fields appear only as controllers fill them in.
/// </summary>
public static class JsonElementExtensions
{
    public static JsonElement Child(this JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out JsonElement child) ? child : default;

    public static string? String(this JsonElement parent, string name)
    {
        JsonElement value = parent.Child(name);
        return value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    public static bool IsTrue(this JsonElement parent, string name) => parent.Child(name).ValueKind == JsonValueKind.True;

    public static IEnumerable<JsonElement> EnumerateArraySafe(this JsonElement array) =>
        array.ValueKind == JsonValueKind.Array ? array.EnumerateArray() : Enumerable.Empty<JsonElement>();

    /// <remarks>Two plain passes instead of LINQ over the boxed enumerator: a list calls this three times per object.</remarks>
    public static string[] Strings(this JsonElement array)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        int count = 0;
        foreach (JsonElement element in array.EnumerateArray())
        {
            if (element.ValueKind == JsonValueKind.String)
            {
                count++;
            }
        }

        if (count == 0)
        {
            return [];
        }

        string[] strings = new string[count];
        int index = 0;
        foreach (JsonElement element in array.EnumerateArray())
        {
            if (element.ValueKind == JsonValueKind.String)
            {
                strings[index++] = element.GetString()!;
            }
        }

        return strings;
    }

    public static DateTime? LocalTime(this JsonElement parent, string name) =>
        DateTimeOffset.TryParse(parent.String(name), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal,
            out DateTimeOffset time)
            ? time.LocalDateTime
            : null;

    /// <summary>The condition of the given type in status.conditions, if present.</summary>
    public static JsonElement? Condition(this JsonElement status, string type)
    {
        foreach (JsonElement condition in status.Child("conditions").EnumerateArraySafe())
        {
            if (condition.String("type") == type)
            {
                return condition;
            }
        }

        return null;
    }
}

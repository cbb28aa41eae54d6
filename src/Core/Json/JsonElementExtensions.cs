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

    /// <remarks>
    /// The UTF-8 overloads (<c>"name"u8</c>) are for code that reads every object of a list: they compare the name
    /// as stored, where the string overloads transcode it on each call.
    /// </remarks>
    public static JsonElement Child(this JsonElement parent, ReadOnlySpan<byte> name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out JsonElement child) ? child : default;

    public static string? String(this JsonElement parent, ReadOnlySpan<byte> name)
    {
        JsonElement value = parent.Child(name);
        return value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    public static bool IsTrue(this JsonElement parent, ReadOnlySpan<byte> name) =>
        parent.Child(name).ValueKind == JsonValueKind.True;

    /// <summary>
    /// An RFC 3339 time in local time. The API's own form ("2026-11-20T10:00:00Z") is read straight from the UTF-8;
    /// any other text goes through <see cref="LocalTime(JsonElement, string)"/>'s culture-free parse, which takes a
    /// time without offset as UTC.
    /// </summary>
    public static DateTime? LocalTime(this JsonElement parent, ReadOnlySpan<byte> name)
    {
        JsonElement value = parent.Child(name);
        if (value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        // TryGetDateTime gives Kind Utc for "Z", Local for an explicit offset, and Unspecified without one.
        return value.TryGetDateTime(out DateTime time) && time.Kind != DateTimeKind.Unspecified
            ? time.ToLocalTime()
            : ParseLocal(value.GetString());
    }

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

    public static DateTime? LocalTime(this JsonElement parent, string name) => ParseLocal(parent.String(name));

    private static DateTime? ParseLocal(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal,
            out DateTimeOffset time)
            ? time.LocalDateTime
            : null;

    /// <summary>The condition of the given type in status.conditions, if present.</summary>
    public static JsonElement? Condition(this JsonElement status, string type)
    {
        foreach (JsonElement condition in status.Child("conditions"u8).EnumerateArraySafe())
        {
            if (condition.String("type"u8) == type)
            {
                return condition;
            }
        }

        return null;
    }
}

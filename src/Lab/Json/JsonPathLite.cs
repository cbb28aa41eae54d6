using System.Text.Json.Nodes;

namespace VmSnapshot.Lab.Json;

/// <summary>
/// The JSONPath subset used by printer columns and field selectors: .a.b, .a[0].b and
/// .conditions[?(@.type=='Ready')].status. Returns the first match, or null.
/// </summary>
internal static class JsonPathLite
{
    public static JsonNode? Evaluate(JsonNode? root, string path)
    {
        JsonNode? current = root;
        int i = 0;
        while (current != null && i < path.Length)
        {
            if (path[i] == '.')
            {
                i++;
                int end = i;
                while (end < path.Length && path[end] != '.' && path[end] != '[') end++;
                current = current is JsonObject o ? o[path[i..end]] : null;
                i = end;
            }
            else if (path[i] == '[')
            {
                int close = path.IndexOf(']', i);
                if (close < 0) return null;
                string inner = path[(i + 1)..close];
                i = close + 1;
                if (current is not JsonArray arr) return null;
                if (int.TryParse(inner, out int index))
                {
                    current = index >= 0 && index < arr.Count ? arr[index] : null;
                }
                else if (inner.StartsWith("?(@.", StringComparison.Ordinal) && inner.EndsWith(')'))
                {
                    // ?(@.field=='value')
                    string expr = inner[4..^1];
                    int eq = expr.IndexOf("==", StringComparison.Ordinal);
                    if (eq < 0) return null;
                    string field = expr[..eq];
                    string value = expr[(eq + 2)..].Trim('\'', '"');
                    current = arr.FirstOrDefault(e => e is JsonObject eo && JsonUtil.Str(eo[field]) == value);
                }
                else
                {
                    return null;
                }
            }
            else
            {
                return null;
            }
        }
        return current;
    }
}

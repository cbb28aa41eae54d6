using System.Text.Json;
using System.Text.Json.Serialization;

namespace VmSnapshot.Core.Changes;

/// <summary>
/// The change record -LogPath writes: one JSON document a change-management system can attach (ServiceNow, Jira),
/// with the change ID, who ran it, and every VM's steps, health looks and outcome. Enums as names, times as ISO 8601.
/// </summary>
public static class ChangeLog
{
    private static readonly JsonSerializerOptions s_options = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Writes the record to <paramref name="path"/> (replacing it), through a temporary file so a reader never sees half of it.</summary>
    public static void Write(string path, string changeId, string? user, string? context, IReadOnlyList<KubeVirtVMChange> results)
    {
        ChangeDocument document = new(changeId, user, context, DateTime.Now, results.Count(r => r.Outcome == ChangeOutcome.Succeeded),
            results.Count(r => r.Outcome != ChangeOutcome.Succeeded), results);
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(document, s_options));
        File.Move(temporary, path, overwrite: true);
    }

    private sealed record ChangeDocument(string ChangeId, string? User, string? Context, DateTime Written, int Succeeded, int NotSucceeded,
        IReadOnlyList<KubeVirtVMChange> Results);
}

using System.Text.Json.Nodes;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Snapshots;
using Xunit;

namespace VmSnapshot.Tests.Core;

/// <summary>The module's up-front metadata checks agree with kube-apiserver's (apimachinery objectmeta.go) at the edges.</summary>
public class ObjectMetadataTests
{
    private const int Limit = 256 * 1024;
    private static readonly DateTimeOffset s_expires = new(2026, 12, 24, 8, 0, 0, TimeSpan.Zero);

    private static SnapshotRequest Request(string? description, IReadOnlyDictionary<string, string>? labels = null) =>
        new("s", "vms", "web", description, null, null, labels ?? new Dictionary<string, string>(), "alice", s_expires);

    /// <summary>
    /// The bytes the module's own annotations take: keys, the user name, the RFC 3339 expiry, and the request id every
    /// create adds (a 32-digit GUID).
    /// </summary>
    private static int OwnBytes() => "description".Length + SnapshotAnnotations.CreatedBy.Length + "alice".Length
        + SnapshotAnnotations.ExpiresAt.Length + "2026-12-24T08:00:00Z".Length
        + CustomResources.RequestIdAnnotation.Length + 32;

    [Fact]
    public void The_annotation_total_counts_the_modules_own_annotations_up_to_exactly_the_limit()
    {
        Assert.Null(SnapshotManifest.MetadataProblem(Request(new string('d', Limit - OwnBytes()))));

        MetadataProblem? over = SnapshotManifest.MetadataProblem(Request(new string('d', Limit - OwnBytes() + 1)));
        Assert.NotNull(over);
        Assert.Equal(MetadataField.AnnotationSize, over.Field);
        Assert.StartsWith("the 'description' annotation is too large:", over.Message, StringComparison.Ordinal);
        Assert.Contains($"these have {Limit + 1}", over.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_annotation_total_is_in_utf8_bytes_as_the_api_server_counts_it()
    {
        // 'é' is two bytes: under the limit in characters, over it in bytes.
        Assert.NotNull(SnapshotManifest.MetadataProblem(Request(new string('é', (Limit / 2) - 10))));
    }

    [Theory]
    [InlineData("bad key!", "v", "bad key!")]
    [InlineData("a/b/c", "v", "a/b/c")]
    [InlineData("/team", "v", "/team")]
    [InlineData("team", "web-", "web-")]
    [InlineData("team", "web\n", "web\n")] // Go's $ ends at the end of the text, not before a final newline
    public void A_label_the_api_server_refuses_is_refused_naming_the_offending_text(string key, string value, string offending)
    {
        MetadataProblem? problem = SnapshotManifest.MetadataProblem(Request(null, new Dictionary<string, string> { [key] = value }));
        Assert.NotNull(problem);
        Assert.Equal(MetadataField.Label, problem.Field);
        Assert.Equal(offending, problem.Value);
    }

    [Fact]
    public void What_the_api_server_accepts_is_accepted()
    {
        Dictionary<string, string> labels = new() { ["example.com/team"] = "", ["Tier_1.x"] = new string('a', 63) };
        Assert.Null(SnapshotManifest.MetadataProblem(Request("short", labels)));
        Assert.Null(KubeNames.AnnotationKeyProblem("Example.COM/Note"));
        Assert.NotNull(KubeNames.AnnotationKeyProblem("my note"));
    }

    [Fact]
    public void The_manifest_keeps_its_annotation_order()
    {
        JsonObject annotations = SnapshotManifest.ToJson(Request("why")).AsObject()["metadata"]!["annotations"]!.AsObject();
        Assert.Equal(["description", SnapshotAnnotations.CreatedBy, SnapshotAnnotations.ExpiresAt], annotations.Select(a => a.Key).ToArray());
        Assert.Equal("2026-12-24T08:00:00Z", (string?)annotations[SnapshotAnnotations.ExpiresAt]);
    }

    [Fact]
    public void A_long_value_is_shortened_for_messages_and_targets()
    {
        Assert.Equal(new string('x', 60) + "... (100 characters)", ObjectMetadata.Shorten(new string('x', 100)));
        Assert.Equal("short", ObjectMetadata.Shorten("short"));
    }
}

using System.Text.Json.Nodes;
using VmSnapshot.Core.Snapshots;
using Xunit;

namespace VmSnapshot.Tests.Core;

public class SnapshotManifestTests
{
    private static readonly SnapshotRequest s_request = new("web-pre", "vms", "web", "before patch: Tuesday", TimeSpan.FromMinutes(2),
        "Retain", new Dictionary<string, string> { ["change"] = "CHG0042", ["approved"] = "true" }, "alice");

    [Fact]
    public void The_json_is_a_v1beta1_snapshot_of_the_vm()
    {
        JsonObject json = SnapshotManifest.ToJson(s_request);
        Assert.Equal("snapshot.kubevirt.io/v1beta1", (string?)json["apiVersion"]);
        Assert.Equal("VirtualMachineSnapshot", (string?)json["kind"]);
        Assert.Equal("kubevirt.io", (string?)json["spec"]!["source"]!["apiGroup"]);
        Assert.Equal("VirtualMachine", (string?)json["spec"]!["source"]!["kind"]);
        Assert.Equal("web", (string?)json["spec"]!["source"]!["name"]);
        Assert.Equal("2m0s", (string?)json["spec"]!["failureDeadline"]);
        Assert.Equal("Retain", (string?)json["spec"]!["deletionPolicy"]);
        Assert.Equal("before patch: Tuesday", (string?)json["metadata"]!["annotations"]!["description"]);
        Assert.Equal("alice", (string?)json["metadata"]!["annotations"]![SnapshotAnnotations.CreatedBy]);
        Assert.Equal("CHG0042", (string?)json["metadata"]!["labels"]!["change"]);
    }

    [Fact]
    public void Optional_fields_are_left_out_rather_than_sent_empty()
    {
        JsonObject json = SnapshotManifest.ToJson(new SnapshotRequest("s", "vms", "web", null, null, null, new Dictionary<string, string>(), null));
        Assert.False(json["metadata"]!.AsObject().ContainsKey("annotations"));
        Assert.False(json["metadata"]!.AsObject().ContainsKey("labels"));
        Assert.False(json["spec"]!.AsObject().ContainsKey("failureDeadline"));
        Assert.False(json["spec"]!.AsObject().ContainsKey("deletionPolicy"));
    }

    [Fact]
    public void The_yaml_round_trips_and_quotes_what_yaml_would_misread()
    {
        string yaml = SnapshotManifest.ToYaml(s_request);
        Assert.Contains("kind: VirtualMachineSnapshot", yaml);
        Assert.Contains("approved: \"true\"", yaml); // a string label, not a YAML boolean
        Dictionary<string, object> parsed = new YamlDotNet.Serialization.Deserializer().Deserialize<Dictionary<string, object>>(yaml);
        Dictionary<object, object> metadata = (Dictionary<object, object>)parsed["metadata"];
        Assert.Equal("web-pre", metadata["name"]);
        Assert.Equal("before patch: Tuesday", ((Dictionary<object, object>)metadata["annotations"])["description"]);
    }
}

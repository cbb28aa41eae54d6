using System.Text.Json.Nodes;
using VmSnapshot.Lab.Api;
using VmSnapshot.Lab.Json;
using Xunit;

namespace VmSnapshot.Tests.Lab;

/// <summary>The pure pieces: label selector grammar, merge and JSON patch, the Table's duration format.</summary>
public sealed class SelectorAndPatchTests
{
    private static readonly Dictionary<string, string> s_labels = new() { ["app"] = "db", ["tier"] = "gold", ["size"] = "7" };

    [Theory]
    [InlineData("", true)]
    [InlineData("app=db", true)]
    [InlineData("app==db", true)]
    [InlineData("app!=db", false)]
    [InlineData("app!=web", true)]
    [InlineData("missing!=x", true)]
    [InlineData("app in (web,db)", true)]
    [InlineData("app notin (web,db)", false)]
    [InlineData("missing notin (a)", true)]
    [InlineData("tier", true)]
    [InlineData("!tier", false)]
    [InlineData("!missing", true)]
    [InlineData("size>5", true)]
    [InlineData("size<5", false)]
    [InlineData("app=db,tier in (gold,silver),!missing", true)]
    [InlineData("app=db,tier=silver", false)]
    [InlineData("example.com/role", false)]
    public void LabelSelectorGrammar(string selector, bool matches) => Assert.Equal(matches, LabelSelector.Parse(selector).Matches(s_labels));

    [Theory]
    [InlineData("app in web")]
    [InlineData("app=-bad-")]
    [InlineData("a b c")]
    public void BadLabelSelectorsAreBadRequests(string selector)
    {
        ApiException ex = Assert.Throws<ApiException>(() => LabelSelector.Parse(selector));
        Assert.Equal(400, ex.Code);
        Assert.StartsWith("unable to parse requirement:", ex.Message);
    }

    [Fact]
    public void MergePatchFollowsRfc7386()
    {
        JsonNode? target = JsonNode.Parse("{\"a\":\"b\",\"c\":{\"d\":\"e\",\"f\":\"g\"},\"l\":[1,2]}");
        JsonNode? patched = MergePatch.Apply(target, JsonNode.Parse("{\"a\":\"z\",\"c\":{\"f\":null},\"l\":[3],\"n\":{\"x\":1}}"));
        Assert.Equal("{\"a\":\"z\",\"c\":{\"d\":\"e\"},\"l\":[3],\"n\":{\"x\":1}}", patched!.ToJsonString());
    }

    [Fact]
    public void JsonPatchSupportsEveryOperation()
    {
        JsonNode doc = JsonNode.Parse("{\"spec\":{\"a\":1,\"list\":[\"x\",\"y\"]},\"meta\":{\"k/v\":\"1\"}}")!;
        JsonArray ops = JsonNode.Parse("""
            [{"op":"test","path":"/spec/a","value":1},
             {"op":"add","path":"/spec/list/1","value":"between"},
             {"op":"add","path":"/spec/list/-","value":"end"},
             {"op":"remove","path":"/meta/k~1v"},
             {"op":"copy","from":"/spec/a","path":"/spec/b"},
             {"op":"move","from":"/spec/a","path":"/spec/c"},
             {"op":"replace","path":"/spec/b","value":2}]
            """)!.AsArray();
        JsonNode result = JsonPatch.Apply(doc, ops);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("{\"spec\":{\"list\":[\"x\",\"between\",\"y\",\"end\"],\"b\":2,\"c\":1},\"meta\":{}}"), result), result.ToJsonString());
        Assert.Equal("{\"spec\":{\"a\":1,\"list\":[\"x\",\"y\"]},\"meta\":{\"k/v\":\"1\"}}", doc.ToJsonString()); // the input is untouched
        PatchException missing = Assert.Throws<PatchException>(() => JsonPatch.Apply(doc, JsonNode.Parse("[{\"op\":\"remove\",\"path\":\"/spec/nope\"}]")!.AsArray()));
        Assert.False(missing.InvalidPatch);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(119, "119s")]
    [InlineData(125, "2m5s")]
    [InlineData(600, "10m")]
    [InlineData(3 * 3600 + 5 * 60, "3h5m")]
    [InlineData(9 * 3600, "9h")]
    [InlineData(50 * 3600, "2d2h")]
    [InlineData(10 * 86400, "10d")]
    [InlineData(3 * 365 * 86400 + 20 * 86400, "3y20d")]
    public void HumanDurationMatchesTheApiserver(long seconds, string expected) => Assert.Equal(expected, Printing.HumanDuration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void StrategicPatchMergesContainersAndTheirListsByKey()
    {
        JsonObject pod = JsonNode.Parse("""
            {"metadata":{"name":"p","ownerReferences":[{"uid":"1","name":"a"}]},
             "spec":{"containers":[{"name":"compute","image":"old","env":[{"name":"A","value":"1"}]},{"name":"guest-console-log","image":"log"}],
                     "tolerations":[{"key":"a"}]}}
            """)!.AsObject();
        JsonObject patch = JsonNode.Parse("""
            {"metadata":{"ownerReferences":[{"uid":"2","name":"b"}]},
             "spec":{"containers":[{"name":"compute","image":"new","env":[{"name":"B","value":"2"}]},{"name":"sidecar","image":"s"}],
                     "tolerations":[{"key":"b"}]}}
            """)!.AsObject();
        ResourceType podType = new() { Group = "", Versions = ["v1"], Kind = "Pod", Plural = "pods", Singular = "pod", IsCustomResource = false };
        JsonObject merged = StrategicMergePatch.Apply(pod, patch, PatchStrategies.For(podType)!);
        Assert.Equal(["compute", "sidecar", "guest-console-log"], merged["spec"]!["containers"]!.AsArray().Select(c => (string?)c!["name"]));
        JsonNode compute = merged["spec"]!["containers"]![0]!;
        Assert.Equal("new", (string?)compute["image"]);
        Assert.Equal(["B", "A"], compute["env"]!.AsArray().Select(e => (string?)e!["name"]));
        Assert.Equal(["2", "1"], merged["metadata"]!["ownerReferences"]!.AsArray().Select(o => (string?)o!["uid"]));
        Assert.Equal(["b"], merged["spec"]!["tolerations"]!.AsArray().Select(t => (string?)t!["key"])); // atomic: replaced

        JsonObject deleted = StrategicMergePatch.Apply(merged, JsonNode.Parse("""{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}""")!.AsObject(), PatchStrategies.For(podType)!);
        Assert.Equal(["compute", "guest-console-log"], deleted["spec"]!["containers"]!.AsArray().Select(c => (string?)c!["name"]));
    }
}

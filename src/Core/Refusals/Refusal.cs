namespace VmSnapshot.Core.Refusals;

/// <summary>
/// A change the engine will not send, or an object it cannot find: the kind, the words for the user (what is wrong
/// and what was therefore not done) and the object it concerns (a name, or the pipeline object it came from).
/// </summary>
public sealed record Refusal(RefusalKind Kind, string Message, object Target)
{
    /// <summary>No VM of that name in the namespace (null: in any namespace).</summary>
    public static Refusal VMNotFound(string name, string? @namespace, string? consequence = null) =>
        new(RefusalKind.VMNotFound, With($"No VM named '{name}' was found in {Where(@namespace)}.", consequence), name);

    /// <summary>No namespace of that name on the cluster (<paramref name="fromConnection"/>: the connection's default one).</summary>
    public static Refusal NamespaceNotFound(string @namespace, bool fromConnection = false) =>
        new(RefusalKind.NamespaceNotFound,
            fromConnection
                ? $"Namespace '{@namespace}' does not exist. It is the connection's namespace (from Connect-KubeVirt -Namespace or the kubeconfig context); give -Namespace, or connect again with another."
                : $"Namespace '{@namespace}' does not exist.",
            @namespace);

    /// <summary>No snapshot matching <paramref name="name"/> (optionally of VM <paramref name="vmName"/>).</summary>
    public static Refusal SnapshotNotFound(string name, string? @namespace, string? consequence = null,
        string? vmName = null, object? target = null) =>
        new(RefusalKind.SnapshotNotFound,
            With($"No VM snapshot named '{name}'{(vmName is null ? string.Empty : $" of VM '{vmName}'")} was found in {Where(@namespace)}.", consequence),
            target ?? name);

    private static string Where(string? @namespace) => @namespace is null ? "any namespace" : $"namespace '{@namespace}'";

    private static string With(string message, string? consequence) =>
        consequence is null ? message : $"{message} {consequence}";
}

/// <summary>What a planner returns: a plan to carry out, or the refusal that stops it.</summary>
public sealed record Planned<T>(T? Plan, Refusal? Refusal)
{
    public static implicit operator Planned<T>(T plan) => new(plan, null);

    public static implicit operator Planned<T>(Refusal refusal) => new(default, refusal);
}

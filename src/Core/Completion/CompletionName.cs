namespace VmSnapshot.Core.Completion;

/// <summary>One name offered by tab completion: the object's name, its namespace, and what it belongs to (a snapshot's VM).</summary>
public sealed record CompletionName(string Name, string? Namespace, string? Owner = null);

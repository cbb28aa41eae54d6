using System.Management.Automation;
using System.Management.Automation.Runspaces;
using VmSnapshot.Commands.Completers;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// Base of every cmdlet that talks to a cluster: the -Connection and -Context overrides, and the rules that pick
/// the connection: an explicit -Connection, else -Context from the current kubeconfig, else the session's
/// Connect-KubeVirt connection, else the kubeconfig's current context.
/// </summary>
public abstract class KubeVirtCmdlet : CancellableCmdlet
{
    private KubeVirtConnection? _resolved;

    [Parameter]
    public KubeVirtConnection? Connection { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(KubeconfigContextCompleter))]
    public string? Context { get; set; }

    /// <summary>The connection this command uses, resolved once per command.</summary>
    protected KubeVirtConnection ResolveConnection()
    {
        if (_resolved is not null)
        {
            return _resolved;
        }

        try
        {
            _resolved = SessionConnections.Resolve(Connection, Context, Runspace.DefaultRunspace);
        }
        catch (ConnectionException e)
        {
            ThrowTerminatingError(ErrorRecords.FromConnection(e));
        }

        WriteVerbose($"Using {Describe(_resolved!)}.");
        InsecureTls.WarnOnce(this, _resolved!);
        return _resolved!;
    }

    /// <summary>
    /// Refuses a snapshot piped in from another cluster or context than this command is connected to: acting on it
    /// here would act on a different object of the same name. Null when it came from this connection (or says nothing
    /// about where it came from, like a test's mock).
    /// </summary>
    protected ErrorRecord? ForeignObjectError(KubeVirtVMSnapshot snapshot)
    {
        KubeVirtConnection connection = ResolveConnection();
        bool sameContext = string.IsNullOrEmpty(snapshot.Context) || snapshot.Context == connection.Origin;
        bool sameServer = string.IsNullOrEmpty(snapshot.Server) || snapshot.Server == connection.Server.ToString();
        string from = snapshot.Server is { Length: > 0 } server ? $"{snapshot.Context} ({server})" : $"{snapshot.Context}";
        return sameContext && sameServer
            ? null
            : ErrorRecords.Create(new InvalidOperationException(
                    $"Snapshot '{snapshot}' was read from '{from}', but this command works on '{connection}'" +
                    (connection.User is { Length: > 0 } user ? $" as '{user}'" : string.Empty) + ". Nothing was done with it."),
                ErrorIds.ConnectionMismatch, ErrorCategory.InvalidArgument, snapshot,
                "Run the command against the snapshot's cluster with -Context or -Connection, or read the snapshot again from this one.");
    }

    /// <summary>Reports an API failure for one item and lets the pipeline go on with the next.</summary>
    protected void WriteApiError(KubeApiException e, object? target) => WriteError(ErrorRecords.FromApi(e, target));

    /// <summary>Reports an API failure that ends the command (the connection itself is unusable).</summary>
    protected void ThrowApiError(KubeApiException e, object? target) => ThrowTerminatingError(ErrorRecords.FromApi(e, target));

    /// <summary>True for failures that will fail every following item too, so the command should stop.</summary>
    protected static bool IsFatalForCommand(KubeApiException e) =>
        e.Kind is ApiErrorKind.Unauthorized || e.IsConnectionFailure;

    private static string Describe(KubeVirtConnection connection) =>
        $"{(connection.Context is null ? "server" : $"context '{connection.Context}' at")} {connection.Server} " +
        $"(default namespace '{connection.Namespace}')";
}

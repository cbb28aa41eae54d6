using System.Management.Automation;
using System.Text.Json;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Snapshots;

namespace VmSnapshot.Commands;

/// <summary>
/// <para type="synopsis">Waits until KubeVirt VM snapshots are ready to use or have failed.</para>
/// <para type="description">Follows snapshots (piped from New-VMSnapshot -NoWait or Get-VMSnapshot, or named)
/// through one watch per namespace, with progress, and returns each snapshot when it is final.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Wait, "VMSnapshot")]
[OutputType(typeof(KubeVirtVMSnapshot))]
public sealed class WaitVMSnapshotCommand : NamespacedCmdlet
{
    private readonly PipelineQueue _queue = new();
    private readonly List<Task> _waits = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private SnapshotFollower? _follower;

    #region Parameters

    /// <summary>
    /// <para type="description">The snapshot(s) to wait for. Snapshot objects bind by property name (Name and
    /// Namespace).</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("SnapshotName")]
    [NamesOnlyTransformation("Name", "SnapshotName")]
    [ValidateKubeName]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary><para type="description">How long to wait at most. Default: 30 minutes.</para></summary>
    [Parameter]
    [ValidateTimeSpan]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// <para type="description">Require an application-consistent result; otherwise an error says why.</para>
    /// </summary>
    [Parameter]
    [Alias("Quiesce")]
    public SwitchParameter RequireQuiesce { get; set; }

    #endregion

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        KubeVirtConnection connection = ResolveConnection();
        string @namespace = EffectiveNamespace;
        _follower ??= new SnapshotFollower(this, _queue, connection, "Waiting for VM snapshots", Timeout, RequireQuiesce);
        // Kubernetes names are lower case; match what Get-VMSnapshot would find, whatever the case typed.
        foreach (string name in Name.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n.Trim().ToLowerInvariant()))
        {
            if (_seen.Add($"{@namespace}/{name}"))
            {
                _waits.Add(Task.Run(() => _follower.FollowAsync(connection, @namespace, name,
                    ct => ReadAsync(connection, @namespace, name, ct), CancelToken)));
            }
        }

        _queue.RunPending();
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        try
        {
            _queue.RunUntil(Task.WhenAll(_waits.Select(Guard)), CancelToken);
        }
        catch (OperationCanceledException) when (CancelToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        finally
        {
            _follower?.Complete();
        }
    }

    private async Task<JsonElement?> ReadAsync(KubeVirtConnection connection, string @namespace, string name,
        CancellationToken cancelToken)
    {
        JsonElement? current = await CustomResources.GetAsync(Core.Connection.ConnectionFactory.ClientFor(connection).Client,
            ResourceType.VirtualMachineSnapshot, @namespace, name, cancelToken).ConfigureAwait(false);
        if (current is null)
        {
            _queue.Post(() => WriteError(ErrorRecords.Create(
                new ItemNotFoundException($"No VM snapshot named '{name}' was found in namespace '{@namespace}'."),
                ErrorIds.SnapshotNotFound, ErrorCategory.ObjectNotFound, name,
                "Check the name with Get-VMSnapshot.")));
        }

        return current;
    }

    /// <summary>Turns an API failure of one wait into that wait's error, so the other waits go on.</summary>
    private async Task Guard(Task wait)
    {
        try
        {
            await wait.ConfigureAwait(false);
        }
        catch (KubeApiException e)
        {
            _queue.Post(() => WriteApiError(e, e.Request.Name));
        }
        catch (OperationCanceledException) when (CancelToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // Whatever else goes wrong with one wait is reported for it; it must never vanish.
            _queue.Post(() => WriteError(ErrorRecords.Create(e, ErrorIds.UnexpectedError, ErrorCategory.NotSpecified, null,
                "Check the snapshot with Get-VMSnapshot; report this error if it repeats.")));
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _follower?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }
}

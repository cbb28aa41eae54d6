using System.Management.Automation;
using VmSnapshot.Commands.Completers;
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
public sealed class WaitVMSnapshotCommand : FollowingCmdlet
{
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
    [ArgumentCompleter(typeof(SnapshotNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>
    /// <para type="description">How long to wait on this side, at most: more than 0, at most 24 days. Default: 30
    /// minutes. When it runs out the snapshot is left to the cluster and an error says where it stood.</para>
    /// </summary>
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
        _follower ??= new SnapshotFollower(this, Queue, Watches(connection), connection, "Waiting for VM snapshots", Timeout,
            RequireQuiesce);
        // Kubernetes names are lower case; match what Get-VMSnapshot would find, whatever the case typed.
        foreach (string name in Name.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n.Trim().ToLowerInvariant()))
        {
            if (_seen.Add($"{@namespace}/{name}"))
            {
                StartOperation(() => _follower.FollowExistingAsync(connection, @namespace, name, CancelToken), name);
            }
        }
    }

    /// <inheritdoc/>
    private protected override void OnOperationsEnded() => _follower?.Complete();
}

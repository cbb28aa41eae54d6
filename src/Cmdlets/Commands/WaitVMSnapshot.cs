using System.Management.Automation;
using VmSnapshot.Commands.Completers;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Snapshots;

namespace VmSnapshot.Commands;

[Cmdlet(VerbsLifecycle.Wait, "VMSnapshot", HelpUri = HelpPages.Online + "Wait-VMSnapshot.md")]
[OutputType(typeof(KubeVirtVMSnapshot))]
public sealed class WaitVMSnapshotCommand : FollowingCmdlet
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private SnapshotFollower? _follower;

    #region Parameters

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("SnapshotName")]
    [NamesOnlyTransformation("Name", "SnapshotName")]
    [ValidateKubeName]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SnapshotNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    [Parameter]
    [ValidateTimeSpan]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(30);

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

using System.Management.Automation;
using VmSnapshot.Commands.Infrastructure;

namespace VmSnapshot.Commands;

/// <summary>
/// <para type="synopsis">Forgets the session's default KubeVirt connection.</para>
/// <para type="description">After this, cmdlets use the kubeconfig's current context again, as kubectl would.
/// Connection objects kept in variables keep working with -Connection.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Disconnect, "KubeVirt")]
[OutputType(typeof(void))]
public sealed class DisconnectKubeVirtCommand : PSCmdlet
{
    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        if (SessionConnections.Current is { } current)
        {
            WriteVerbose($"Disconnecting from {current}.");
        }

        SessionConnections.Current = null;
    }
}

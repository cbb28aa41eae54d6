using System.Management.Automation;
using VmSnapshot.Commands.Infrastructure;

namespace VmSnapshot.Commands;

[Cmdlet(VerbsCommunications.Disconnect, "KubeVirt", HelpUri = HelpPages.Online + "Disconnect-KubeVirt.md")]
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

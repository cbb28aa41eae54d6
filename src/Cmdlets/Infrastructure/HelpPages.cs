namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// Where each cmdlet's help page is published: its docs/en-US/&lt;Verb-Noun&gt;.md in the project repository (the help
/// source, built into the module's MAML by tools/Build-Help.ps1). A cmdlet's HelpUri is this plus its page, so
/// Get-Help -Online and Azure Automation's portal open the same text Get-Help shows.
/// </summary>
internal static class HelpPages
{
    public const string Online = "https://github.com/vmsnapshot/VmSnapshot.PowerShell/blob/main/docs/en-US/";
}

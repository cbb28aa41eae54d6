# Loads VmSnapshot with its dependencies isolated in the module's own AssemblyLoadContext, so that KubernetesClient
# and YamlDotNet cannot clash with the copies other modules (powershell-yaml, Az.Aks, platyPS) load. Only
# VmSnapshot.Shared.dll (public types and the LoadContext) goes into PowerShell's default context; see
# src/Shared/LoadContext.cs.

$binPath = [System.IO.Path]::Combine($PSScriptRoot, 'bin', 'net8.0')

$isReload = $true
if (-not ('VmSnapshot.LoadContext' -as [type])) {
    $isReload = $false
    # Assembly.LoadFrom, not Add-Type -Path: Add-Type spends 80-200 ms of a cold start getting ready to compile.
    $null = [System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($binPath, 'VmSnapshot.Shared.dll'))
}

$mainAssembly = [VmSnapshot.LoadContext]::Initialize()

# Import-Module as its cmdlet type, so that no proxy function or alias of the user's can intercept it. Not
# Get-Command -Module Microsoft.PowerShell.Core: its first call in a session costs ~50 ms of command discovery
# (fresh sessions, in turn: the import took ~210 ms this way against ~240 ms with Get-Command).
$importModule = [System.Management.Automation.CmdletInfo]::new('Import-Module',
    [psobject].Assembly.GetType('Microsoft.PowerShell.Commands.ImportModuleCommand', $true))
$innerModule = & $importModule -Assembly $mainAssembly -PassThru:$isReload

if ($innerModule) {
    # On a re-import (Import-Module -Force) PowerShell hands back the cached assembly module without re-registering
    # its cmdlets on this script module (PowerShell/PowerShell#20710), so add them back explicitly.
    $addExportedCmdlet = [System.Management.Automation.PSModuleInfo].GetMethod(
        'AddExportedCmdlet',
        [System.Reflection.BindingFlags]'Instance, NonPublic')
    foreach ($cmdlet in $innerModule.ExportedCmdlets.Values) {
        $addExportedCmdlet.Invoke($ExecutionContext.SessionState.Module, @(, $cmdlet))
    }
}

<#
.SYNOPSIS
The main job on the lab: start a simulated KubeVirt cluster, connect, and look at its VM snapshots the way an admin
would. Run through build.ps1 -Task Demo (it builds first).
#>
param([Parameter(Mandatory)] [string] $ModulePath)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $ModulePath 'VmSnapshot.psd1')

function Show-Step([string] $Text) { Write-Host "`n# $Text" -ForegroundColor Green }

# Tables are printed 160 columns wide: a build log or a non-interactive console would otherwise cut them at 80.
function Write-Wide { $input | Out-String -Width 160 | Write-Host }

Show-Step 'Start the lab cluster and connect the session to it'
$lab = Start-KubeVirtLab -Connect
$lab | Format-Table | Write-Wide

try {
    Show-Step 'All VM snapshots in the lab namespace'
    Get-VMSnapshot | Format-Table | Write-Wide

    Show-Step 'Snapshots of the Windows VM, newest first'
    Get-VMSnapshot -VMName 'win2k19*' | Sort-Object CreationTime -Descending |
        Format-Table Name, Phase, ReadyToUse, Consistency, Indications, CreationTime | Write-Wide

    Show-Step 'Snapshots that cannot be restored'
    Get-VMSnapshot | Where-Object { -not $_.ReadyToUse } | Format-List Name, VMName, Phase, Error | Write-Wide

    Show-Step 'The same lab through kubectl'
    if (Get-Command kubectl -CommandType Application -ErrorAction SilentlyContinue) {
        Write-Host 'kubectl sends tokens only over https; start a TLS lab for kubectl:'
        $tlsLab = Start-KubeVirtLab -UseTls -Name 'kubectl-demo'
        try {
            $cache = Join-Path ([IO.Path]::GetTempPath()) "vmsnapshot-demo-kubectl-$PID"
            & kubectl --kubeconfig $tlsLab.KubeconfigPath --cache-dir $cache get vmsnapshots | Out-Host
        }
        finally {
            $tlsLab | Stop-KubeVirtLab -Confirm:$false
            Remove-Item $cache -Recurse -Force -ErrorAction SilentlyContinue
        }
    }
    else {
        Write-Host 'kubectl is not installed; skipped.'
    }
}
finally {
    Show-Step 'Stop the lab'
    $lab | Stop-KubeVirtLab -Confirm:$false
}

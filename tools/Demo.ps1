<#
.SYNOPSIS
The main job on the lab: start a simulated KubeVirt cluster, connect, and look at its VM snapshots the way an admin
would. Run through build.ps1 -Task Demo (it builds first).
#>
param([Parameter(Mandatory)] [string] $ModulePath)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $ModulePath 'VmSnapshot.psd1')

function Show-Step([string] $Text) { Write-Host "`n# $Text" -ForegroundColor Green }

Show-Step 'Start the lab cluster and connect the session to it'
$lab = Start-KubeVirtLab -Connect
$lab | Format-Table | Out-Host

try {
    Show-Step 'All VM snapshots in the lab namespace'
    Get-VMSnapshot | Format-Table | Out-Host

    Show-Step 'Snapshots of the Windows VM, newest first'
    Get-VMSnapshot -VMName 'win2k19*' | Sort-Object CreationTime -Descending |
        Format-Table Name, Phase, ReadyToUse, Consistency, Indications, CreationTime | Out-Host

    Show-Step 'Snapshots that cannot be restored'
    Get-VMSnapshot | Where-Object { -not $_.ReadyToUse } | Format-List Name, VMName, Phase, Error | Out-Host

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

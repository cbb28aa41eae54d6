<#
.SYNOPSIS
Measures what a user feels first: module import time and first-call time in fresh sessions against the lab.
Run through build.ps1 -Task Bench. Figures are printed, never asserted (machines are noisy; compare ratios).
#>
param([Parameter(Mandatory)] [string] $ModulePath, [int] $Runs = 5)

$ErrorActionPreference = 'Stop'
. "$PSScriptRoot/common.ps1"
$manifest = Join-Path $ModulePath 'VmSnapshot.psd1'

Import-Module $manifest
$lab = Start-KubeVirtLab
try {
    $probe = @"
`$sw = [Diagnostics.Stopwatch]::StartNew()
Import-Module '$manifest'
`$import = `$sw.Elapsed.TotalMilliseconds
`$sw.Restart()
Connect-KubeVirt -Kubeconfig '$($lab.KubeconfigPath)'
`$connect = `$sw.Elapsed.TotalMilliseconds
`$sw.Restart()
`$count = @(Get-VMSnapshot).Count
`$first = `$sw.Elapsed.TotalMilliseconds
`$sw.Restart()
`$count = @(Get-VMSnapshot).Count
`$second = `$sw.Elapsed.TotalMilliseconds
'{0:f1};{1:f1};{2:f1};{3:f1};{4}' -f `$import, `$connect, `$first, `$second, `$count
"@
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($probe))
    $pwsh = Get-PwshCommand
    $rows = foreach ($run in 1..$Runs) {
        $line = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -EncodedCommand $encoded
        $parts = ($line | Select-Object -Last 1) -split ';'
        [pscustomobject]@{
            Run                 = $run
            ImportMs            = [double]$parts[0]
            ConnectMs           = [double]$parts[1]
            FirstGetVMSnapshotMs = [double]$parts[2]
            WarmGetVMSnapshotMs = [double]$parts[3]
            Snapshots           = [int]$parts[4]
        }
    }
    $rows | Format-Table | Out-Host
    $median = { param($values) ($values | Sort-Object)[[math]::Floor($values.Count / 2)] }
    Write-Host ('Median: import {0:f0} ms, connect {1:f0} ms, first Get-VMSnapshot {2:f0} ms, warm Get-VMSnapshot {3:f0} ms' -f
        (& $median $rows.ImportMs), (& $median $rows.ConnectMs), (& $median $rows.FirstGetVMSnapshotMs), (& $median $rows.WarmGetVMSnapshotMs))
}
finally {
    $lab | Stop-KubeVirtLab -Confirm:$false
}

<#
.SYNOPSIS
The main job on the lab: look at the VMs, take a snapshot before a risky change, make the change, roll back, and
clone to a test network, the way an admin would. Run through build.ps1 -Task Demo (it builds first).
#>
param([Parameter(Mandatory)] [string] $ModulePath)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $ModulePath 'VmSnapshot.psd1')

function Show-Step([string] $Text) { Write-Host "`n# $Text" -ForegroundColor Green }

# Tables are printed 160 columns wide: a build log or a non-interactive console would otherwise cut them at 80.
function Write-Wide { $input | Out-String -Width 160 | Write-Host }

Show-Step 'Start-KubeVirtLab -Connect: a simulated KubeVirt cluster in this process'
$lab = Start-KubeVirtLab -Connect
$lab | Format-Table | Write-Wide

try {
    Show-Step 'Get-KubeVirtVM: the VMs, their guest agents and what a snapshot would capture'
    Get-KubeVirtVM | Format-Table | Write-Wide
    (Get-KubeVirtVM db-nfs-data).Volumes | Format-Table | Write-Wide

    Show-Step 'Test-GuestQuiesce: which VMs can be snapshotted application-consistently, and why not'
    Get-KubeVirtVM | Test-GuestQuiesce | Format-Table | Write-Wide

    Show-Step 'Get-VMSnapshot: the snapshots that exist'
    Get-VMSnapshot | Format-Table | Write-Wide

    Show-Step 'New-VMSnapshot: before a risky change, an application-consistent snapshot (progress mirrored to -Verbose)'
    $snapshot = New-VMSnapshot -VMName rhel8-brainy-bear -Name rhel8-pre-change -Description 'before the kernel update' -RequireQuiesce -Verbose
    $snapshot | Format-List Name, VMName, Phase, ReadyToUse, Consistency, Indications, IncludedVolumes, CreatedBy, Description | Write-Wide

    Show-Step 'The change goes wrong: someone patches the VM (memory 64Gi, a label)'
    $token = [System.Net.NetworkCredential]::new('', $lab.GetToken()).Password
    $vmUri = "$($lab.Server)apis/kubevirt.io/v1/namespaces/vms/virtualmachines/rhel8-brainy-bear"
    $headers = @{ Authorization = "Bearer $token" }
    Invoke-RestMethod -Method Patch -Uri $vmUri -Headers $headers -ContentType 'application/merge-patch+json' `
        -Body '{"metadata":{"labels":{"bad-change":"true"}},"spec":{"template":{"spec":{"domain":{"memory":{"guest":"64Gi"}}}}}}' | Out-Null
    Write-Host ("Memory now: {0}" -f (Invoke-RestMethod -Uri $vmUri -Headers $headers).spec.template.spec.domain.memory.guest)

    Show-Step 'Restore-VMSnapshot -StopVM -StartVM: roll back (refused without -StopVM while the VM runs)'
    try { $snapshot | Restore-VMSnapshot -Confirm:$false } catch { Write-Host "Refused: $($_.Exception.Message)" -ForegroundColor Yellow }
    $snapshot | Restore-VMSnapshot -StopVM -StartVM -Confirm:$false -PassThru | Format-Table | Write-Wide
    Write-Host ("Memory after the rollback: {0}" -f (Invoke-RestMethod -Uri $vmUri -Headers $headers).spec.template.spec.domain.memory.guest)

    Show-Step 'New-VMClone: a copy on the development network, with new MAC addresses'
    $clone = $snapshot | New-VMClone -Name rhel8-dev-copy -NetworkMap @{ 'prod-net' = 'dev-segment' }
    $clone | Format-Table | Write-Wide
    $copy = Invoke-RestMethod -Uri "$($lab.Server)apis/kubevirt.io/v1/namespaces/vms/virtualmachines/rhel8-dev-copy" -Headers $headers
    Write-Host ("Clone networks: {0}; MACs: {1}" -f ($copy.spec.template.spec.networks.multus.networkName -join ', '),
        ($copy.spec.template.spec.domain.devices.interfaces.macAddress -join ', '))

    Show-Step 'New-VMSnapshot without a guest agent: kept, but -RequireQuiesce says why it is only crash-consistent'
    New-VMSnapshot -VMName fedora-no-agent -RequireQuiesce -ErrorAction Continue -WarningAction SilentlyContinue

    Show-Step 'Restore-VMSnapshot -NewVMName, watched by the lab: new claims for the copy, the source''s claims untouched'
    $mark = Checkpoint-KubeVirtLab
    $snapshot | Restore-VMSnapshot -NewVMName rhel8-inspect -Confirm:$false
    Get-KubeVirtLabChange -Since $mark -ExcludeKind Event | Format-Table | Write-Wide

    Show-Step 'A nightly runbook''s retention: only its own (labelled) snapshots, keep the newest usable one per VM'
    $policy = @{ 'vmsnapshot.io/policy' = 'nightly' }
    Get-KubeVirtVM -Name centos-stopped, rhel8-brainy-bear | New-VMSnapshot -Label $policy | Format-Table | Write-Wide
    Remove-VMSnapshot -VMName * -Label $policy -KeepLast 1 -WhatIf
    Write-Host 'Nothing else is selected: hand-taken snapshots such as rhel8-brainy-bear-before-upgrade carry no policy label.'

    Show-Step 'Invoke-VMChange: a change with a safety net. The update leaves a guest that never gets Ready; the health gate rolls it back'
    $bad = Invoke-VMChange rhel8-brainy-bear -ChangeId CHG0042 -HealthTimeout 00:00:20 -HealthInterval 00:00:02 -Confirm:$false -ErrorAction SilentlyContinue -ScriptBlock {
        param($vm, $context)
        Write-Host "patching $($vm.Name) under safety snapshot $($context.Snapshot.Name)"
        $uri = "$($lab.Server)apis/kubevirt.io/v1/namespaces/vms/virtualmachines/$($vm.Name)"
        Invoke-RestMethod -Method Patch -Uri $uri -Headers $headers -ContentType 'application/merge-patch+json' `
            -Body '{"spec":{"template":{"metadata":{"annotations":{"lab.vmsnapshot.io/guest-health":"not-ready"}}}}}' | Out-Null
        Invoke-RestMethod -Method Put -Uri "$($lab.Server)apis/subresources.kubevirt.io/v1/namespaces/vms/virtualmachines/$($vm.Name)/restart" `
            -Headers $headers -ContentType 'application/json' -Body '{}' | Out-Null
    }
    $bad | Format-Table | Write-Wide
    $bad.Steps | Format-Table | Write-Wide
    Test-VMHealth rhel8-brainy-bear | Format-Table | Write-Wide

    Show-Step 'The same lab through kubectl'
    $kubectl = Get-Command kubectl -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1 -ExpandProperty Source
    if ($kubectl) {
        Write-Host 'kubectl sends tokens only over https; a TLS lab for kubectl:'
        $tlsLab = Start-KubeVirtLab -UseTls -Name 'kubectl-demo'
        $cache = Join-Path ([IO.Path]::GetTempPath()) "vmsnapshot-demo-kubectl-$PID"
        try {
            & $kubectl --kubeconfig $tlsLab.KubeconfigPath --cache-dir $cache get vmsnapshots | Out-Host
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
    Show-Step 'Stop-KubeVirtLab'
    $lab | Stop-KubeVirtLab -Confirm:$false
}

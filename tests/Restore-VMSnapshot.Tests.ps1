# Roll back after a bad change, and restore beside the original, on the lab's KubeVirt restore controller.
BeforeAll {
    . "$PSScriptRoot/common.ps1"
    Import-Module $ModuleManifest -Force
    $timeout = New-TimeSpan -Seconds 45

    function Invoke-LabApi([string] $Method, [string] $Path, [string] $Body, [string] $ContentType = 'application/merge-patch+json') {
        $token = [System.Net.NetworkCredential]::new('', $lab.GetToken()).Password
        Invoke-RestMethod -Method $Method -Uri "$($lab.Server)$Path" -Headers @{ Authorization = "Bearer $token" } -ContentType $ContentType -Body $Body
    }
}

Describe 'Restore-VMSnapshot' {
    BeforeEach { $lab = Start-KubeVirtLab -Name 'restore-tests' -ClockSpeed 20 -Connect }
    AfterEach { $lab | Stop-KubeVirtLab -Confirm:$false; Disconnect-KubeVirt }

    It 'rolls a VM back after a bad change: spec and disks come back' {
        $vmPath = 'apis/kubevirt.io/v1/namespaces/vms/virtualmachines/rhel8-brainy-bear'
        $claim = (Get-KubeVirtVM rhel8-brainy-bear).Volumes | Where-Object SnapshotEnabled | Select-Object -First 1 -ExpandProperty ClaimName
        $claimPath = "api/v1/namespaces/vms/persistentvolumeclaims/$claim"
        Invoke-LabApi PATCH $claimPath '{"metadata":{"annotations":{"lab.vmsnapshot.io/files":"app.config,data.db"}}}' | Out-Null
        $before = Invoke-LabApi GET $vmPath

        $snapshot = New-VMSnapshot rhel8-brainy-bear -Name rhel-before-change -Timeout $timeout

        # The bad change: a patched VM spec and a "deleted file" on the disk.
        Invoke-LabApi PATCH $vmPath '{"metadata":{"labels":{"bad-change":"true"}},"spec":{"template":{"spec":{"domain":{"memory":{"guest":"64Gi"}}}}}}' | Out-Null
        Invoke-LabApi PATCH $claimPath '{"metadata":{"annotations":{"lab.vmsnapshot.io/files":"data.db"}}}' | Out-Null

        $restore = $snapshot | Restore-VMSnapshot -StopVM -StartVM -Confirm:$false -PassThru -Timeout $timeout
        $restore | Should -BeOfType ([VmSnapshot.KubeVirtVMRestore])
        $restore.Complete | Should -BeTrue
        $restore.SnapshotName | Should -Be 'rhel-before-change'
        $restore.VMName | Should -Be 'rhel8-brainy-bear'
        $restore.RestoredVolumes.ClaimName | Should -Contain $claim   # InPlace keeps claim names

        $after = Invoke-LabApi GET $vmPath
        $after.spec.template.spec.domain.memory.guest | Should -Be $before.spec.template.spec.domain.memory.guest
        (Invoke-LabApi GET $claimPath).metadata.annotations.'lab.vmsnapshot.io/files' | Should -Be 'app.config,data.db'
        (Get-KubeVirtVM rhel8-brainy-bear).RestoreInProgress | Should -BeNullOrEmpty
        $after.spec.runStrategy | Should -Be 'Always'   # -StartVM started it again
    }

    It 'refuses a running VM without -StopVM and creates nothing' {
        New-VMSnapshot rhel8-brainy-bear -Name rhel-snap -Timeout $timeout | Out-Null
        Restore-VMSnapshot -Name rhel-snap -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'VMRunning,VmSnapshot.Commands.RestoreVMSnapshotCommand'
        $err[0].ErrorDetails.RecommendedAction | Should -BeLike '*-StopVM*'
        (Invoke-LabApi GET 'apis/snapshot.kubevirt.io/v1beta1/namespaces/vms/virtualmachinerestores').items | Should -BeNullOrEmpty
    }

    It 'refuses a failed snapshot and a pattern that matches several snapshots of one VM' {
        $failed = Get-VMSnapshot -Phase Failed | Select-Object -First 1
        $failed | Should -Not -BeNullOrEmpty
        $failed | Restore-VMSnapshot -StopVM -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'SnapshotNotUsable,VmSnapshot.Commands.RestoreVMSnapshotCommand'

        Restore-VMSnapshot -Name 'win2k19*' -StopVM -Confirm:$false -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2.Count | Should -Be 1
        $err2[0].FullyQualifiedErrorId | Should -Be 'AmbiguousSnapshot,VmSnapshot.Commands.RestoreVMSnapshotCommand'
        (Invoke-LabApi GET 'apis/snapshot.kubevirt.io/v1beta1/namespaces/vms/virtualmachinerestores').items | Should -BeNullOrEmpty
    }

    It 'restores into a new, stopped VM with new MAC addresses and leaves the original alone' {
        $snapshot = New-VMSnapshot rhel8-brainy-bear -Name rhel-for-copy -Timeout $timeout
        $original = Invoke-LabApi GET 'apis/kubevirt.io/v1/namespaces/vms/virtualmachines/rhel8-brainy-bear'
        $mark = Checkpoint-KubeVirtLab
        $restore = $snapshot | Restore-VMSnapshot -NewVMName rhel-copy -Confirm:$false -PassThru -Timeout $timeout
        # The original: not one of its objects (VM, claim, DataVolume, instance) was created, changed or deleted.
        Get-KubeVirtLabChange -Since $mark -ExcludeKind Event | Where-Object Name -like 'rhel8-brainy-bear*' | Should -BeNullOrEmpty
        $restore.VMName | Should -Be 'rhel-copy'
        $copy = Invoke-LabApi GET 'apis/kubevirt.io/v1/namespaces/vms/virtualmachines/rhel-copy'
        $copy.spec.runStrategy | Should -Be 'Halted'
        $originalMacs = $original.spec.template.spec.domain.devices.interfaces.macAddress
        $copyMacs = $copy.spec.template.spec.domain.devices.interfaces.macAddress
        $copyMacs | Should -Not -BeNullOrEmpty
        foreach ($mac in $copyMacs) { $originalMacs | Should -Not -Contain $mac }
        (Get-KubeVirtVM rhel8-brainy-bear).Status | Should -Be 'Running'

        $snapshot | Restore-VMSnapshot -NewVMName rhel-copy -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'RestoreTargetExists,VmSnapshot.Commands.RestoreVMSnapshotCommand'
    }

    It 'warns that excluded disks do not come back' {
        $snapshot = New-VMSnapshot db-nfs-data -Name db-partial -Timeout $timeout -WarningAction SilentlyContinue
        $snapshot | Restore-VMSnapshot -StopVM -Confirm:$false -Timeout $timeout -WarningVariable warnings -WarningAction SilentlyContinue
        ($warnings.Message -join "`n") | Should -BeLike "*'data'*will not come back*"
    }

    It 'warns that an old Windows snapshot may have lost its domain trust, and -WhatIf restores nothing' {
        $old = 'win2k19-profound-gecko-nightly-20261124'
        Invoke-LabApi PATCH "apis/snapshot.kubevirt.io/v1beta1/namespaces/vms/virtualmachinesnapshots/$old/status" '{"status":{"creationTime":"2026-09-01T02:00:00Z"}}' | Out-Null
        Restore-VMSnapshot -Name $old -StopVM -WhatIf -WarningVariable warnings -WarningAction SilentlyContinue
        ($warnings.Message -join "`n") | Should -BeLike '*Windows VM is * days old*domain trust*'
        (Invoke-LabApi GET 'apis/snapshot.kubevirt.io/v1beta1/namespaces/vms/virtualmachinerestores').items | Should -BeNullOrEmpty
        (Get-KubeVirtVM win2k19-profound-gecko).Status | Should -Be 'Running'
    }

    It 'refuses a second restore while one is in progress' {
        $slow = Start-KubeVirtLab -Name 'slow-restore' -ClockSpeed 1
        try {
            $connection = Connect-KubeVirt -Kubeconfig $slow.KubeconfigPath -PassThru
            $snapshot = New-VMSnapshot centos-stopped -Name centos-snap -Connection $connection -Timeout $timeout
            $snapshot | Restore-VMSnapshot -Connection $connection -NoWait -Confirm:$false | Out-Null
            $deadline = (Get-Date).AddSeconds(30)
            while (-not (Get-KubeVirtVM centos-stopped -Connection $connection).RestoreInProgress -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 100 }
            (Get-KubeVirtVM centos-stopped -Connection $connection).RestoreInProgress | Should -Not -BeNullOrEmpty
            $snapshot | Restore-VMSnapshot -Connection $connection -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'RestoreInProgress,VmSnapshot.Commands.RestoreVMSnapshotCommand'
            $err[0].Exception.Message | Should -BeLike '*vm restore*in progress*'
        }
        finally {
            $slow | Stop-KubeVirtLab -Confirm:$false
        }
    }

    It 'refuses -StartVM with -NoWait, an invalid new VM name and several snapshots for one new VM' {
        { Restore-VMSnapshot -Name x -StartVM -NoWait -Confirm:$false } | Should -Throw -ErrorId 'StartRequiresWait,VmSnapshot.Commands.RestoreVMSnapshotCommand'
        { Restore-VMSnapshot -Name x -NewVMName Bad_Name -Confirm:$false } | Should -Throw -ErrorId 'InvalidVMName,VmSnapshot.Commands.RestoreVMSnapshotCommand'
        Get-VMSnapshot -Phase Succeeded -Latest 1 | Restore-VMSnapshot -NewVMName one-vm -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'DuplicateTargetName,VmSnapshot.Commands.RestoreVMSnapshotCommand'
        (Invoke-LabApi GET 'apis/snapshot.kubevirt.io/v1beta1/namespaces/vms/virtualmachinerestores').items | Should -BeNullOrEmpty
    }

    It 'writes the manifest with -AsManifest and creates nothing' {
        New-VMSnapshot centos-stopped -Name centos-manifest -Timeout $timeout | Out-Null
        $yaml = Restore-VMSnapshot -Name centos-manifest -AsManifest
        $yaml | Should -BeLike '*kind: VirtualMachineRestore*'
        $yaml | Should -BeLike '*virtualMachineSnapshotName: centos-manifest*'
        $yaml | Should -BeLike '*volumeRestorePolicy: InPlace*'
        (Invoke-LabApi GET 'apis/snapshot.kubevirt.io/v1beta1/namespaces/vms/virtualmachinerestores').items | Should -BeNullOrEmpty
    }
}

# The whole effect of each restore on the cluster (tests/README.md rule 1): what was created, updated and deleted, and
# that nothing else was touched. A restore into a new VM must never touch the source VM's claims: with KubeVirt's
# InPlace policy it would delete them and recreate them for the new VM (issue: safe restore).
Describe 'Restore-VMSnapshot changes exactly what it should' {
    BeforeEach { $lab = Start-KubeVirtLab -Name 'restore-changes' -ClockSpeed 20 -Connect }
    AfterEach { $lab | Stop-KubeVirtLab -Confirm:$false; Disconnect-KubeVirt }

    It 'restores a running VM''s snapshot into a new VM with new claims, leaving the source''s claims and DataVolumes alone' {
        $snapshot = New-VMSnapshot rhel8-brainy-bear -Name rhel-for-copy -Timeout $timeout
        $sourceClaims = Invoke-LabApi GET 'api/v1/namespaces/vms/persistentvolumeclaims'
        $mark = Checkpoint-KubeVirtLab

        $restore = $snapshot | Restore-VMSnapshot -NewVMName rhel-copy -Confirm:$false -PassThru -Timeout $timeout

        $restore.Complete | Should -BeTrue
        $restore.RestoredVolumes.ClaimName | Should -Be @('rhel-copy-rootdisk')
        Assert-LabChangeSet -Since $mark -Expected @(
            'Created VirtualMachineRestore vms/rhel-copy-restore-*'
            'Created VirtualMachine vms/rhel-copy'
            'Created DataVolume vms/rhel-copy-rootdisk'
            'Created PersistentVolumeClaim vms/rhel-copy-rootdisk'
            'Created PersistentVolume pvc-*'
        ) | Out-Null
        # Every claim that existed before is the same object (same uid), untouched.
        $after = Invoke-LabApi GET 'api/v1/namespaces/vms/persistentvolumeclaims'
        foreach ($claim in $sourceClaims.items) {
            $now = $after.items | Where-Object { $_.metadata.name -eq $claim.metadata.name }
            $now.metadata.uid | Should -Be $claim.metadata.uid
            $now.metadata.resourceVersion | Should -Be $claim.metadata.resourceVersion
        }
        (Get-KubeVirtVM rhel8-brainy-bear).Status | Should -Be 'Running'
    }

    It 'restores a stopped VM''s snapshot into a new VM without replacing the source''s claim' {
        $snapshot = New-VMSnapshot centos-stopped -Name centos-for-copy -Timeout $timeout
        $mark = Checkpoint-KubeVirtLab
        $snapshot | Restore-VMSnapshot -NewVMName centos-copy -Confirm:$false -Timeout $timeout
        Assert-LabChangeSet -Since $mark -Expected @(
            'Created VirtualMachineRestore vms/centos-copy-restore-*'
            'Created VirtualMachine vms/centos-copy'
            'Created PersistentVolumeClaim vms/centos-copy-rootdisk'
            'Created PersistentVolume pvc-*'
        ) | Out-Null
    }

    It 'refuses -VolumeRestorePolicy InPlace into a new VM, changing nothing' {
        $snapshot = New-VMSnapshot centos-stopped -Name centos-inplace-copy -Timeout $timeout
        $mark = Checkpoint-KubeVirtLab
        $snapshot | Restore-VMSnapshot -NewVMName centos-copy -VolumeRestorePolicy InPlace -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'InPlaceRestoreToNewVM,VmSnapshot.Commands.RestoreVMSnapshotCommand'
        $err[0].Exception.Message | Should -BeLike "*would delete the claims of VM 'centos-stopped'*Nothing was restored*"
        $err[0].ErrorDetails.RecommendedAction | Should -BeLike '*PrefixTargetName*'
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Out-Null
    }

    It 'shows in -AsManifest the policy it would send: PrefixTargetName for a new VM, InPlace for a rollback' {
        New-VMSnapshot centos-stopped -Name centos-manifest -Timeout $timeout | Out-Null
        $mark = Checkpoint-KubeVirtLab
        Restore-VMSnapshot -Name centos-manifest -NewVMName centos-copy -AsManifest | Should -BeLike '*volumeRestorePolicy: PrefixTargetName*'
        Restore-VMSnapshot -Name centos-manifest -NewVMName centos-copy -VolumeRestorePolicy RandomizeNames -AsManifest |
            Should -BeLike '*volumeRestorePolicy: RandomizeNames*'
        Restore-VMSnapshot -Name centos-manifest -AsManifest | Should -BeLike '*volumeRestorePolicy: InPlace*'
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Out-Null
    }

    It 'rolls a stopped VM back in place: its claim is replaced from the snapshot and nothing else changes' {
        $snapshot = New-VMSnapshot centos-stopped -Name centos-rollback -Timeout $timeout
        $mark = Checkpoint-KubeVirtLab
        $snapshot | Restore-VMSnapshot -Confirm:$false -Timeout $timeout
        Wait-LabVolumeGone $lab pvc-3f0a9c1e-1111-4a2b-9c3d-000000000007 | Should -BeTrue
        $changes = Assert-LabChangeSet -Since $mark -Expected @(
            'Created VirtualMachineRestore vms/centos-stopped-restore-*'
            'Deleted PersistentVolumeClaim vms/centos-stopped-rootdisk'
            'Deleted PersistentVolume pvc-3f0a9c1e-1111-4a2b-9c3d-000000000007' # the replaced claim's volume (reclaimPolicy Delete)
            'Created PersistentVolumeClaim vms/centos-stopped-rootdisk'
            'Created PersistentVolume pvc-*'
            'Updated VirtualMachine vms/centos-stopped'
        )
        ($changes | Where-Object Kind -eq VirtualMachine).ChangedPaths | Should -Be @('metadata.annotations.restore.kubevirt.io/lastRestoreUID')
    }

    It 'rolls a running VM back with -StopVM -StartVM: stops, replaces its claim, starts it again' {
        $snapshot = New-VMSnapshot rhel8-brainy-bear -Name rhel-rollback -Timeout $timeout
        $mark = Checkpoint-KubeVirtLab
        $snapshot | Restore-VMSnapshot -StopVM -StartVM -Confirm:$false -Timeout $timeout
        # -StartVM sends the start (202 Accepted); the VM controller creates the new instance after that, on its own.
        $deadline = [datetime]::Now.AddSeconds(20)
        while (-not (Test-VMHealth rhel8-brainy-bear -SkipCheck AgentConnected, GuestAddress, Ready -Quiet) -and [datetime]::Now -lt $deadline) {
            Start-Sleep -Milliseconds 100
        }
        Wait-LabVolumeGone $lab pvc-3f0a9c1e-1111-4a2b-9c3d-000000000003 | Should -BeTrue
        Assert-LabChangeSet -Since $mark -IgnoreStatus -Expected @(
            'Created VirtualMachineRestore vms/rhel8-brainy-bear-restore-*'
            'Deleted PersistentVolumeClaim vms/rhel8-brainy-bear-rootdisk'
            'Deleted PersistentVolume pvc-3f0a9c1e-1111-4a2b-9c3d-000000000003' # the replaced claim's volume (reclaimPolicy Delete)
            'Created PersistentVolumeClaim vms/rhel8-brainy-bear-rootdisk'
            'Created PersistentVolume pvc-*'
            'Updated DataVolume vms/rhel8-brainy-bear-rootdisk'
            'Updated VirtualMachine vms/rhel8-brainy-bear'
            'Deleted VirtualMachineInstance vms/rhel8-brainy-bear'
            'Created VirtualMachineInstance vms/rhel8-brainy-bear'
            'Deleted Pod vms/virt-launcher-rhel8-brainy-bear-*'
            'Created Pod vms/virt-launcher-rhel8-brainy-bear-*'
        ) | Out-Null
        (Get-KubeVirtVM rhel8-brainy-bear).RunStrategy | Should -Be 'Always'
    }

    It 'changes nothing with -WhatIf, for a rollback and for a new VM' {
        $snapshot = New-VMSnapshot centos-stopped -Name centos-whatif -Timeout $timeout
        $mark = Checkpoint-KubeVirtLab
        $snapshot | Restore-VMSnapshot -WhatIf
        $snapshot | Restore-VMSnapshot -NewVMName centos-copy -WhatIf
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Out-Null
    }
}

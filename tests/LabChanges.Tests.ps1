BeforeAll {
    . "$PSScriptRoot/common.ps1"
    Import-Module $ModuleManifest -Force
}

Describe 'Checkpoint-KubeVirtLab and Get-KubeVirtLabChange' {
    BeforeEach { $lab = Start-KubeVirtLab -Name 'changes' -Connect }
    AfterEach { $lab | Stop-KubeVirtLab -Confirm:$false; Disconnect-KubeVirt }

    It 'lists exactly the objects a snapshot created, one line per object' {
        $mark = Checkpoint-KubeVirtLab
        $mark | Should -BeOfType ([VmSnapshot.KubeVirtLabCheckpoint])
        $mark.LabName | Should -Be 'changes'
        $mark.LabId | Should -Be $lab.Id

        New-VMSnapshot -VMName rhel8-brainy-bear -Name change-probe | Out-Null

        $changes = Get-KubeVirtLabChange -Since $mark -ExcludeKind Event
        $changes | ForEach-Object { $_ | Should -BeOfType ([VmSnapshot.KubeVirtLabChange]) }
        $content = @($changes | Where-Object Kind -eq VirtualMachineSnapshotContent)
        $content.Count | Should -Be 1
        $content[0].ToString() | Should -Be "Created VirtualMachineSnapshotContent vms/$($content[0].Name)"
        $content[0].ApiVersion | Should -Be 'snapshot.kubevirt.io/v1beta1'
        # -IgnoreStatus: the VM's status.snapshotInProgress comes and goes with the snapshot (the controller's report).
        Assert-LabChangeSet -Since $mark -IgnoreStatus -Expected @(
            'Created VirtualMachineSnapshot vms/change-probe'
            'Created VirtualMachineSnapshotContent vms/vmsnapshot-content-*'
            'Created VolumeSnapshot vms/vmsnapshot-*-volume-*'
            'Created VolumeSnapshotContent snapcontent-*'
        ) | Out-Null
    }

    It 'reports an object created and deleted after the mark as CreatedAndDeleted' {
        $mark = Checkpoint-KubeVirtLab
        New-VMSnapshot -VMName rhel8-brainy-bear -Name brief | Out-Null
        Remove-VMSnapshot -Name brief -Wait -Confirm:$false   # -Wait: until its finalizers ran and it is gone
        (Get-KubeVirtLabChange -Since $mark -Kind VirtualMachineSnapshot).ToString() |
            Should -Be 'CreatedAndDeleted VirtualMachineSnapshot vms/brief'
    }

    It 'leaves an empty set for -WhatIf' {
        $mark = Checkpoint-KubeVirtLab
        Remove-VMSnapshot -VMName * -KeepLast 0 -WhatIf 6>$null
        Get-VMSnapshot | Remove-VMSnapshot -WhatIf 6>$null
        Get-KubeVirtLabChange -Since $mark | Should -BeNullOrEmpty
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Should -BeNullOrEmpty
    }

    It 'narrows by kind, namespace and status-only changes' {
        $mark = Checkpoint-KubeVirtLab
        New-VMSnapshot -VMName rhel8-brainy-bear -Name narrow | Out-Null
        @(Get-KubeVirtLabChange -Since $mark -Kind 'VirtualMachineSnapshot*').Kind | Sort-Object -Unique |
            Should -Be @('VirtualMachineSnapshot', 'VirtualMachineSnapshotContent')
        Get-KubeVirtLabChange -Since $mark -Namespace 'vms' | Where-Object Kind -eq VolumeSnapshotContent | Should -BeNullOrEmpty
        Get-KubeVirtLabChange -Since $mark -Namespace 'other*' | Should -BeNullOrEmpty
        Get-KubeVirtLabChange -Since $mark -ExcludeKind 'Volume*', 'Virtual*', 'Event' | Should -BeNullOrEmpty
    }

    It 'names the changed paths of an update made by kubectl' {
        if (-not (Get-Command kubectl -ErrorAction Ignore)) {
            Set-ItResult -Skipped -Because 'kubectl is not installed'
            return
        }
        # kubectl sends its bearer token only over TLS.
        $tlsLab = Start-KubeVirtLab -Name 'changes-tls' -UseTls -Scenario empty
        try {
            & kubectl --kubeconfig $tlsLab.KubeconfigPath create namespace team-a 2>&1 | Out-Null
            $LASTEXITCODE | Should -Be 0
            $mark = $tlsLab | Checkpoint-KubeVirtLab
            & kubectl --kubeconfig $tlsLab.KubeconfigPath create namespace team-b 2>&1 | Out-Null
            $LASTEXITCODE | Should -Be 0
            & kubectl --kubeconfig $tlsLab.KubeconfigPath label namespace team-a team=db 2>&1 | Out-Null
            $LASTEXITCODE | Should -Be 0
            $changes = @(Get-KubeVirtLabChange -Since $mark)
            $changes.ForEach({ $_.ToString() }) | Should -Be @('Updated Namespace team-a', 'Created Namespace team-b')
            $changes[0].ChangedPaths | Should -Be @('metadata.labels.team')
        }
        finally { $tlsLab | Stop-KubeVirtLab -Confirm:$false }
    }

    It 'the mark is independent of later marks' {
        $first = Checkpoint-KubeVirtLab
        New-VMSnapshot -VMName rhel8-brainy-bear -Name first | Out-Null
        $second = Checkpoint-KubeVirtLab
        New-VMSnapshot -VMName rhel8-brainy-bear -Name second | Out-Null
        (Get-KubeVirtLabChange -Since $first -Kind VirtualMachineSnapshot).Name | Should -Be @('first', 'second')
        (Get-KubeVirtLabChange -Since $second -Kind VirtualMachineSnapshot).Name | Should -Be 'second'
    }
}

Describe 'Which lab a checkpoint belongs to' {
    AfterEach { Get-KubeVirtLab | Stop-KubeVirtLab -Confirm:$false; Disconnect-KubeVirt }

    It 'takes the lab the session is connected to when several run' {
        $a = Start-KubeVirtLab -Name 'lab-a' -Scenario empty
        $b = Start-KubeVirtLab -Name 'lab-b' -Scenario empty -Connect
        (Checkpoint-KubeVirtLab).LabName | Should -Be 'lab-b'
        ($a | Checkpoint-KubeVirtLab).LabName | Should -Be 'lab-a'
    }

    It 'refuses to guess among several labs when the session is connected to none' {
        Start-KubeVirtLab -Name 'lab-a' -Scenario empty | Out-Null
        Start-KubeVirtLab -Name 'lab-b' -Scenario empty | Out-Null
        $mark = Checkpoint-KubeVirtLab -ErrorVariable err -ErrorAction SilentlyContinue
        $mark | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'LabNotFound,VmSnapshot.Commands.CheckpointKubeVirtLabCommand'
        $err[0].Exception.Message | Should -BeLike '*2 labs are running*-Lab*'
    }

    It 'refuses a checkpoint of a lab that was stopped' {
        $lab = Start-KubeVirtLab -Name 'lab-gone' -Scenario empty
        $mark = $lab | Checkpoint-KubeVirtLab
        $lab | Stop-KubeVirtLab -Confirm:$false
        { Get-KubeVirtLabChange -Since $mark -ErrorAction Stop } |
            Should -Throw -ErrorId 'LabNotFound,VmSnapshot.Commands.GetKubeVirtLabChangeCommand'
    }
}

Describe 'Assert-LabChangeSet (the test helper)' {
    BeforeAll { $lab = Start-KubeVirtLab -Name 'assert' -Connect }
    AfterAll { $lab | Stop-KubeVirtLab -Confirm:$false; Disconnect-KubeVirt }

    It 'fails on a change nobody expected and on an expected change that did not happen' {
        $mark = Checkpoint-KubeVirtLab
        New-VMSnapshot -VMName rhel8-brainy-bear -Name helper-probe | Out-Null
        { Assert-LabChangeSet -Since $mark -Expected @() } | Should -Throw '*Unexpected: Created VirtualMachineSnapshot vms/helper-probe*'
        { Assert-LabChangeSet -Since $mark -Expected @('Created VirtualMachineSnapshot*', 'Created VirtualMachineSnapshotContent*', 'Created VolumeSnapshot*', 'Deleted *') } |
            Should -Throw '*Expected but missing: Deleted `**'
    }
}

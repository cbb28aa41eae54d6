# "Take a snapshot, clone the VM to a development network segment, and test with impunity."
# Every clone is checked for its whole effect on the cluster (tests/README.md): the clone gets new claims and never
# touches the source's; every refusal leaves the cluster exactly as it was.
BeforeAll {
    . "$PSScriptRoot/common.ps1"
    Import-Module $ModuleManifest -Force
    $timeout = New-TimeSpan -Seconds 45

    function Get-LabObject([string] $Path) {
        $token = (Select-String -LiteralPath $lab.KubeconfigPath -Pattern "token: '([^']+)'").Matches[0].Groups[1].Value
        Invoke-RestMethod -Uri "$($lab.Server)$Path" -Headers @{ Authorization = "Bearer $token" }
    }

    function Get-LabVM([string] $Name) { Get-LabObject "apis/kubevirt.io/v1/namespaces/vms/virtualmachines/$Name" }
}

Describe 'New-VMClone' {
    BeforeEach { $lab = Start-KubeVirtLab -Name 'clone-tests' -ClockSpeed 20 -Connect }
    AfterEach { $lab | Stop-KubeVirtLab -Confirm:$false; Disconnect-KubeVirt }

    It 'clones a snapshot onto the test network with new MACs and new claims, leaving the original untouched' {
        $original = Get-LabVM rhel8-brainy-bear
        $claimsBefore = (Get-LabObject 'api/v1/namespaces/vms/persistentvolumeclaims').items
        $snapshot = New-VMSnapshot rhel8-brainy-bear -Name rhel-for-clone -Timeout $timeout
        $mark = Checkpoint-KubeVirtLab

        $clone = $snapshot | New-VMClone -Name rhel-dev -NetworkMap @{ 'prod-net' = 'dev-segment' } -Timeout $timeout

        $clone | Should -BeOfType ([VmSnapshot.KubeVirtVMClone])
        $clone.Phase | Should -Be 'Succeeded'
        $clone.SourceKind | Should -Be 'VirtualMachineSnapshot'
        $clone.VM.Name | Should -Be 'rhel-dev'
        Assert-LabChangeSet -Since $mark -IgnoreStatus -Expected @(
            'Created VirtualMachineClone vms/rhel-dev-clone-*'
            'CreatedAndDeleted VirtualMachineRestore vms/tmp-restore-*'
            'Created VirtualMachine vms/rhel-dev'
            'Created DataVolume vms/restore-*-rootdisk'
            'Created PersistentVolumeClaim vms/restore-*-rootdisk'
            'Created PersistentVolume pvc-*'
        ) | Out-Null

        $copy = Get-LabVM rhel-dev
        $copy.spec.template.spec.networks.multus.networkName | Should -Be @('dev-segment')
        foreach ($mac in $copy.spec.template.spec.domain.devices.interfaces.macAddress) {
            $original.spec.template.spec.domain.devices.interfaces.macAddress | Should -Not -Contain $mac
        }
        # The source: same spec, same claims (uids, metadata and spec; the resourceVersion moves, as the CSI
        # snapshot-controller adds and removes snapshot.storage.kubernetes.io/pvc-as-source-protection), same networks.
        $after = Get-LabVM rhel8-brainy-bear
        ($after.spec | ConvertTo-Json -Depth 20) | Should -Be ($original.spec | ConvertTo-Json -Depth 20)
        $claimsAfter = (Get-LabObject 'api/v1/namespaces/vms/persistentvolumeclaims').items
        foreach ($claim in $claimsBefore) {
            $now = $claimsAfter | Where-Object { $_.metadata.name -eq $claim.metadata.name }
            $now.metadata.uid | Should -Be $claim.metadata.uid
            ($now.metadata.finalizers -join ',') | Should -Be ($claim.metadata.finalizers -join ',')
            ($now.metadata.labels | ConvertTo-Json -Compress) | Should -Be ($claim.metadata.labels | ConvertTo-Json -Compress)
            ($now.metadata.annotations | ConvertTo-Json -Compress) | Should -Be ($claim.metadata.annotations | ConvertTo-Json -Compress)
            ($now.spec | ConvertTo-Json -Depth 10 -Compress) | Should -Be ($claim.spec | ConvertTo-Json -Depth 10 -Compress)
        }
    }

    It 'clones a VM directly (through a temporary snapshot it cleans up) and can start the clone' {
        $mark = Checkpoint-KubeVirtLab
        $clone = New-VMClone -VMName rhel8-brainy-bear -Name rhel-direct -Start -Timeout $timeout
        $clone.SourceKind | Should -Be 'VirtualMachine'
        (Get-LabVM rhel-direct).spec.runStrategy | Should -Be 'Always'
        # -Start sends the start (202 Accepted); the VM controller creates the instance after that, on its own.
        $deadline = [datetime]::Now.AddSeconds(20)
        while (-not (Test-VMHealth rhel-direct -SkipCheck Ready, AgentConnected, GuestAddress, ClaimBound, DataVolume, VolumeAttached -Quiet) -and
            [datetime]::Now -lt $deadline) { Start-Sleep -Milliseconds 100 }
        Assert-LabChangeSet -Since $mark -IgnoreStatus -Expected @(
            'Created VirtualMachineClone vms/rhel-direct-clone-*'
            # The temporary snapshot is deleted when the clone succeeds; its content and volume snapshots go after it,
            # asynchronously (snapshot controller, then CSI), so each is Created or already CreatedAndDeleted here.
            '*VirtualMachineSnapshot vms/tmp-snapshot-*'
            '*VirtualMachineSnapshotContent vms/vmsnapshot-content-*'
            '*VolumeSnapshot vms/vmsnapshot-*'
            '*VolumeSnapshotContent snapcontent-*'
            'CreatedAndDeleted VirtualMachineRestore vms/tmp-restore-*'
            'Created VirtualMachine vms/rhel-direct'
            'Created VirtualMachineInstance vms/rhel-direct'
            'Created Pod vms/virt-launcher-rhel-direct-*'
            'Created DataVolume vms/restore-*-rootdisk'
            'Created PersistentVolumeClaim vms/restore-*-rootdisk'
            'Created PersistentVolume pvc-*'
        ) | Out-Null
    }

    It 'refuses a target that exists (the controller would hang) and changes nothing' {
        $mark = Checkpoint-KubeVirtLab
        New-VMClone -VMName rhel8-brainy-bear -Name win2k19-profound-gecko -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'CloneTargetExists,VmSnapshot.Commands.NewVMCloneCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Out-Null
    }

    It 'refuses a network the VM is not on, naming the ones it is on, and changes nothing' {
        $mark = Checkpoint-KubeVirtLab
        New-VMClone -VMName rhel8-brainy-bear -Name rhel-nonet -NetworkMap @{ 'no-such-net' = 'dev-segment' } -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'NetworkNotFound,VmSnapshot.Commands.NewVMCloneCommand'
        $err[0].Exception.Message | Should -BeLike '*prod-net*'
        $err[0].TargetObject | Should -Be 'no-such-net'
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Out-Null
    }

    It 'refuses a target network that has no NetworkAttachmentDefinition (<Target>) and changes nothing' -ForEach @(
        @{ Target = 'no-such-net'; Why = "*'no-such-net' (no NetworkAttachmentDefinition 'no-such-net' in namespace 'vms')*" }
        @{ Target = 'other/dev-segment'; Why = "*'other/dev-segment' (no NetworkAttachmentDefinition 'dev-segment' in namespace 'other')*" }
        @{ Target = 'a/b/c'; Why = "*'a/b/c' (not a network name*" }
    ) {
        $mark = Checkpoint-KubeVirtLab
        New-VMClone -VMName rhel8-brainy-bear -Name rhel-lost -NetworkMap @{ 'prod-net' = $Target } -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'TargetNetworkNotFound,VmSnapshot.Commands.NewVMCloneCommand'
        $err[0].Exception.Message | Should -BeLike $Why
        $err[0].TargetObject | Should -BeLike $Why
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Out-Null
    }

    It 'accepts a target network qualified with its namespace' {
        New-VMClone -VMName rhel8-brainy-bear -Name rhel-qualified -NetworkMap @{ 'prod-net' = 'vms/dev-segment' } -AsManifest |
            Should -BeLike '*networkName*vms/dev-segment*'
    }

    It 'refuses a VM with a disk that cannot be snapshotted and changes nothing' {
        $mark = Checkpoint-KubeVirtLab
        New-VMClone -VMName db-nfs-data -Name db-copy -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'VolumesNotCaptured,VmSnapshot.Commands.NewVMCloneCommand'
        $err[0].ErrorDetails.RecommendedAction | Should -BeLike '*a clone cannot leave them out*'
        $err[0].ErrorDetails.RecommendedAction | Should -Not -BeLike '*leave out -RequireAllVolumes*'
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Out-Null
    }

    It 'writes the manifest with -AsManifest and creates nothing' {
        $mark = Checkpoint-KubeVirtLab
        $yaml = New-VMClone -VMName rhel8-brainy-bear -Name rhel-manifest -NetworkMap @{ 'prod-net' = 'dev-segment' } -AsManifest
        $yaml | Should -BeLike '*kind: VirtualMachineClone*'
        $yaml | Should -BeLike '*networkName*dev-segment*'
        $yaml | Should -BeLike '*newMacAddresses:*'
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Out-Null
        Get-KubeVirtVM rhel-manifest -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'VMNotFound,VmSnapshot.Commands.GetKubeVirtVMCommand'
    }

    It 'clones the snapshot a piped row names, only when it is of the VM the row names' {
        $row = [pscustomobject]@{ Name = 'rhel8-brainy-bear-before-upgrade'; VMName = 'rhel8-brainy-bear'; Namespace = 'vms' }
        $row | New-VMClone -Name rhel-from-row -AsManifest | Should -BeLike '*kind: VirtualMachineSnapshot*name: rhel8-brainy-bear-before-upgrade*'
        $mark = Checkpoint-KubeVirtLab
        $row.VMName = 'centos-stopped'
        $row | New-VMClone -Name rhel-from-wrong-row -AsManifest -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].Exception.Message | Should -BeLike "No VM snapshot named 'rhel8-brainy-bear-before-upgrade' of VM 'centos-stopped'*Nothing was cloned."
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Out-Null
    }

    It 'changes nothing with -WhatIf' {
        $mark = Checkpoint-KubeVirtLab
        New-VMClone -VMName rhel8-brainy-bear -Name rhel-whatif -WhatIf
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Out-Null
    }

    It 'shows each VM''s networks on the VM object, as -NetworkMap keys' {
        (Get-KubeVirtVM rhel8-brainy-bear).Networks | Should -Be @('default: pod network', 'prod: prod-net')
    }
}

# "Take a snapshot, clone the VM to a development network segment, and test with impunity."
BeforeAll {
    . "$PSScriptRoot/common.ps1"
    Import-Module $ModuleManifest -Force
    $timeout = New-TimeSpan -Seconds 45
    $lab = Start-KubeVirtLab -Name 'clone-tests' -ClockSpeed 20 -Connect

    function Get-LabVM([string] $Name) {
        $token = [System.Net.NetworkCredential]::new('', $lab.Token).Password
        Invoke-RestMethod -Uri "$($lab.Server)apis/kubevirt.io/v1/namespaces/vms/virtualmachines/$Name" -Headers @{ Authorization = "Bearer $token" }
    }
}

AfterAll {
    $lab | Stop-KubeVirtLab -Confirm:$false
    Disconnect-KubeVirt
}

Describe 'New-VMClone' {
    It 'clones a snapshot onto the test network with new MACs, leaving the original untouched' {
        $original = Get-LabVM rhel8-brainy-bear
        $snapshot = New-VMSnapshot rhel8-brainy-bear -Name rhel-for-clone -Timeout $timeout
        $clone = $snapshot | New-VMClone -Name rhel-dev -NetworkMap @{ 'prod-net' = 'dev-segment' } -Timeout $timeout
        $clone | Should -BeOfType ([VmSnapshot.KubeVirtVMClone])
        $clone.Phase | Should -Be 'Succeeded'
        $clone.SourceKind | Should -Be 'VirtualMachineSnapshot'
        $clone.VM.Name | Should -Be 'rhel-dev'

        $copy = Get-LabVM rhel-dev
        $copy.spec.template.spec.networks.multus.networkName | Should -Contain 'dev-segment'
        $copy.spec.template.spec.networks.multus.networkName | Should -Not -Contain 'prod-net'
        foreach ($mac in $copy.spec.template.spec.domain.devices.interfaces.macAddress) {
            $original.spec.template.spec.domain.devices.interfaces.macAddress | Should -Not -Contain $mac
        }
        $after = Get-LabVM rhel8-brainy-bear
        $after.spec.template.spec.networks.multus.networkName | Should -Contain 'prod-net'
        $after.metadata.resourceVersion | Should -Not -BeNullOrEmpty
        ($after.spec | ConvertTo-Json -Depth 20) | Should -Be ($original.spec | ConvertTo-Json -Depth 20)
    }

    It 'clones a VM directly and can start the clone' {
        $clone = New-VMClone -VMName rhel8-brainy-bear -Name rhel-direct -Start -Timeout $timeout
        $clone.SourceKind | Should -Be 'VirtualMachine'
        (Get-LabVM rhel-direct).spec.runStrategy | Should -Be 'Always'
    }

    It 'refuses a target that exists (the controller would hang) and creates nothing' {
        New-VMClone -VMName rhel8-brainy-bear -Name win2k19-profound-gecko -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'CloneTargetExists,VmSnapshot.Commands.NewVMCloneCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
    }

    It 'refuses a network the VM is not on, naming the ones it is on' {
        New-VMClone -VMName rhel8-brainy-bear -Name rhel-nonet -NetworkMap @{ 'no-such-net' = 'dev-segment' } -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'NetworkNotFound,VmSnapshot.Commands.NewVMCloneCommand'
        $err[0].Exception.Message | Should -BeLike '*prod-net*'
    }

    It 'refuses a VM with a disk that cannot be snapshotted' {
        New-VMClone -VMName db-nfs-data -Name db-copy -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'VolumesNotCaptured,VmSnapshot.Commands.NewVMCloneCommand'
    }

    It 'writes the manifest with -AsManifest' {
        $yaml = New-VMClone -VMName rhel8-brainy-bear -Name rhel-manifest -NetworkMap @{ 'prod-net' = 'dev-segment' } -AsManifest
        $yaml | Should -BeLike '*kind: VirtualMachineClone*'
        $yaml | Should -BeLike '*networkName*dev-segment*'
        $yaml | Should -BeLike '*newMacAddresses:*'
        { Get-LabVM rhel-manifest } | Should -Throw
    }
}

BeforeAll {
    . "$PSScriptRoot/common.ps1"
    Import-Module $ModuleManifest -Force
    $lab = Start-KubeVirtLab -Name 'vm-tests' -Connect
}

AfterAll {
    $lab | Stop-KubeVirtLab -Confirm:$false
    Disconnect-KubeVirt
}

Describe 'Get-KubeVirtVM' {
    It 'lists the VMs of the namespace as typed objects' {
        $vms = Get-KubeVirtVM
        $vms.Name | Should -Contain 'win2k19-profound-gecko'
        $vms.Name | Should -Contain 'rhel8-brainy-bear'
        $vms | ForEach-Object { $_ | Should -BeOfType ([VmSnapshot.KubeVirtVM]) }
        $vms.Namespace | Sort-Object -Unique | Should -Be 'vms'
    }

    It 'shows status, run strategy and the guest agent' {
        $windows = Get-KubeVirtVM -Name win2k19-profound-gecko
        $windows.Status | Should -Be 'Running'
        $windows.RunStrategy | Should -Be 'Always'
        $windows.GuestAgent | Should -BeTrue
        $windows.OS | Should -BeLike '*Windows*'
        (Get-KubeVirtVM -Name fedora-no-agent).GuestAgent | Should -BeFalse
        (Get-KubeVirtVM -Name centos-stopped).Status | Should -Be 'Stopped'
        (Get-KubeVirtVM -Name app-paused).Status | Should -Be 'Paused'
    }

    It 'says which disks a snapshot would not capture, in the cluster''s words' {
        $volumes = (Get-KubeVirtVM -Name db-nfs-data).Volumes
        $data = $volumes | Where-Object { -not $_.SnapshotEnabled }
        $data | Should -Not -BeNullOrEmpty
        $data[0].SnapshotReason | Should -BeLike 'No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass*'
        ($volumes | Where-Object SnapshotEnabled) | Should -Not -BeNullOrEmpty
    }

    It 'shows the newest snapshot that is ready to use' {
        $windows = Get-KubeVirtVM -Name win2k19-profound-gecko
        $expected = Get-VMSnapshot -VMName win2k19-profound-gecko | Where-Object ReadyToUse | Sort-Object CreationTime | Select-Object -Last 1
        $windows.LastSnapshot | Should -Be $expected.Name
        $windows.LastSnapshotAge | Should -BeGreaterThan ([timespan]::Zero)
    }

    It 'filters by wildcard and by label, and reports a missing literal name' {
        (Get-KubeVirtVM -Name 'RHEL8*').Name | Should -Be 'rhel8-brainy-bear'
        $found = Get-KubeVirtVM -Name nope, rhel8-brainy-bear -ErrorVariable err -ErrorAction SilentlyContinue
        $found.Name | Should -Be 'rhel8-brainy-bear'
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'VMNotFound,VmSnapshot.Commands.GetKubeVirtVMCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 'nope'
        (Get-KubeVirtVM -Label @{ app = 'win2k19-profound-gecko' }).Name | Should -Be 'win2k19-profound-gecko'
        Get-KubeVirtVM -Label @{ 'kubevirt.io/nonexistent-label' = 'x' } | Should -BeNullOrEmpty
    }

    It 'lists all namespaces and takes names from the pipeline' {
        (Get-KubeVirtVM -AllNamespaces).Count | Should -BeGreaterOrEqual (Get-KubeVirtVM).Count
        ('rhel8-brainy-bear', 'fedora-no-agent' | Get-KubeVirtVM).Count | Should -Be 2
    }

    It 'pipes into Get-VMSnapshot by property name' {
        $fromPipe = Get-KubeVirtVM -Name win2k19-profound-gecko | Get-VMSnapshot
        $fromPipe.VMName | Sort-Object -Unique | Should -Be 'win2k19-profound-gecko'
    }

    It 'shows a default table' {
        $table = Get-KubeVirtVM | Format-Table | Out-String -Width 200
        $table | Should -Match 'Name\s+Status\s+RunStrategy\s+Agent\s+OS\s+CPU\s+Memory\s+Disks\s+LastSnapshot'
        $table | Should -Match 'db-nfs-data\s+Running\s+Always\s+\S+\s+.*\s1/2'
    }
}

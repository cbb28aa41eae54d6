BeforeAll {
    . "$PSScriptRoot/common.ps1"
    Import-Module $ModuleManifest -Force

    function New-RetentionLab {
        $documents = @(
            "apiVersion: lab.vmsnapshot.io/v1`nkind: LabSettings`nnamespace: vms"
            "apiVersion: v1`nkind: Namespace`nmetadata:`n  name: vms"
            "apiVersion: kubevirt.io/v1`nkind: VirtualMachine`nmetadata:`n  name: db`n  namespace: vms`nspec:`n  runStrategy: Halted`n  template:`n    spec:`n      domain:`n        devices: {}"
            (New-SnapshotManifest -Name web-1 -Namespace vms -VMName web -CreationTime '2026-10-01T10:00:00Z')
            (New-SnapshotManifest -Name web-2 -Namespace vms -VMName web -CreationTime '2026-10-20T10:00:00Z')
            (New-SnapshotManifest -Name web-3 -Namespace vms -VMName web -CreationTime '2026-11-20T10:00:00Z')
            (New-SnapshotManifest -Name web-4 -Namespace vms -VMName web -CreationTime '2026-11-25T10:00:00Z')
            (New-SnapshotManifest -Name db-1 -Namespace vms -VMName db -CreationTime '2026-09-01T10:00:00Z')
            (New-SnapshotManifest -Name db-2 -Namespace vms -VMName db -CreationTime '2026-11-24T10:00:00Z')
            (New-SnapshotManifest -Name db-failed -Namespace vms -VMName db -Phase Failed -CreationTime '2026-11-25T10:00:00Z')
        )
        Start-KubeVirtLab -Scenario (New-ScenarioFile -Document $documents) -Name 'retention' -Connect
    }
}

Describe 'Remove-VMSnapshot' {
    BeforeEach { $lab = New-RetentionLab }
    AfterEach { $lab | Stop-KubeVirtLab -Confirm:$false; Disconnect-KubeVirt }

    It 'deletes a snapshot by name and nothing else' {
        Remove-VMSnapshot -Name web-1 -Confirm:$false
        (Get-VMSnapshot).Name | Sort-Object | Should -Be @('db-1', 'db-2', 'db-failed', 'web-2', 'web-3', 'web-4')
    }

    It 'keeps the newest N of each selected VM' {
        Remove-VMSnapshot -VMName web -KeepLast 2 -Confirm:$false
        (Get-VMSnapshot -VMName web).Name | Sort-Object | Should -Be @('web-3', 'web-4')
        @(Get-VMSnapshot -VMName db).Count | Should -Be 3
    }

    It 'deletes by age, per VM, from piped VM objects' {
        Get-KubeVirtVM db | Remove-VMSnapshot -OlderThan ([datetime]'2026-11-01') -Confirm:$false
        (Get-VMSnapshot -VMName db).Name | Sort-Object | Should -Be @('db-2', 'db-failed')
    }

    It 'takes snapshot objects from the pipeline and returns them with -PassThru' {
        $gone = Get-VMSnapshot -Phase Failed | Remove-VMSnapshot -PassThru -Confirm:$false
        $gone.Name | Should -Be 'db-failed'
        Get-VMSnapshot -Name db-failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        # A piped snapshot is deleted itself; it never selects the other snapshots of its VM.
        (Get-VMSnapshot -VMName db).Name | Sort-Object | Should -Be @('db-1', 'db-2')
    }

    It 'accepts objects typed as snapshots (mocks, deserialized objects) and names from the pipeline' {
        [pscustomobject]@{ PSTypeName = 'VmSnapshot.KubeVirtVMSnapshot'; Name = 'web-1'; Namespace = 'vms'; VMName = 'web' } |
            Remove-VMSnapshot -Confirm:$false
        'web-2' | Remove-VMSnapshot -Confirm:$false
        (Get-VMSnapshot -VMName web).Name | Sort-Object | Should -Be @('web-3', 'web-4')
    }

    It 'deletes nothing for an empty line, an empty name or another kind of object from the pipeline' {
        $lines = Join-Path $TestDrive 'names.txt'
        Set-Content $lines -Value "web-1`n`n   "
        Get-Content $lines | Remove-VMSnapshot -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        [pscustomobject]@{ PSTypeName = 'VmSnapshot.KubeVirtVMSnapshot'; Name = ''; Namespace = 'vms' } |
            Remove-VMSnapshot -Confirm:$false -ErrorVariable +err -ErrorAction SilentlyContinue
        [VmSnapshot.KubeVirtVMRestore]@{ Name = 'r1'; Namespace = 'vms'; VMName = 'web'; SnapshotName = 'web-2' } |
            Remove-VMSnapshot -Confirm:$false -ErrorVariable +err -ErrorAction SilentlyContinue
        (Get-VMSnapshot).Name | Sort-Object | Should -Be @('db-1', 'db-2', 'db-failed', 'web-2', 'web-3', 'web-4')
        @($err | Where-Object FullyQualifiedErrorId -Like 'InvalidInputObject,*').Count | Should -Be 4
    }

    It 'refuses snapshots read from another cluster and deletes nothing on either' {
        $other = New-RetentionLab
        try {
            $fromOther = Get-VMSnapshot -Connection (Connect-KubeVirt -Kubeconfig $other.KubeconfigPath -PassThru) -Name 'web-*'
            Connect-KubeVirt -Kubeconfig $lab.KubeconfigPath
            $fromOther | Remove-VMSnapshot -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
            $err.Count | Should -Be 4
            $err[0].FullyQualifiedErrorId | Should -Be 'ConnectionMismatch,VmSnapshot.Commands.RemoveVMSnapshotCommand'
            @(Get-VMSnapshot -VMName web).Count | Should -Be 4
        }
        finally {
            $other | Stop-KubeVirtLab -Confirm:$false
        }
    }

    It 'refuses a -Timeout that is not positive before deleting anything' {
        { Remove-VMSnapshot -Name web-1 -Wait -Timeout ([timespan]::FromSeconds(-5)) -Confirm:$false } | Should -Throw -ErrorId 'ParameterArgumentValidationError,VmSnapshot.Commands.RemoveVMSnapshotCommand'
        @(Get-VMSnapshot).Count | Should -Be 7
    }

    It 'refuses a piped object it cannot interpret' {
        [pscustomobject]@{ Foo = 1 } | Remove-VMSnapshot -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'InvalidInputObject,VmSnapshot.Commands.RemoveVMSnapshotCommand'
        @(Get-VMSnapshot).Count | Should -Be 7
    }

    It 'lists exactly what would go with -WhatIf and deletes nothing' {
        # What-if lines go straight to the host, so a transcript is what can see them.
        $transcript = Join-Path $TestDrive 'whatif.txt'
        Start-Transcript -Path $transcript | Out-Null
        try { Remove-VMSnapshot -VMName '*' -KeepLast 1 -WhatIf } finally { Stop-Transcript | Out-Null }
        $whatIf = Get-Content $transcript -Raw
        $whatIf | Should -BeLike "*'vms/web-1'*"
        $whatIf | Should -BeLike "*'vms/web-3'*"
        $whatIf | Should -Not -BeLike "*'vms/web-4'*"
        @(Get-VMSnapshot).Count | Should -Be 7
    }

    It 'reports a literal name that does not exist' {
        Remove-VMSnapshot -Name no-such -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'SnapshotNotFound,VmSnapshot.Commands.RemoveVMSnapshotCommand'
        @(Get-VMSnapshot).Count | Should -Be 7
    }

    It 'waits until the snapshot is really gone with -Wait' {
        Remove-VMSnapshot -Name web-2 -Wait -Confirm:$false
        Get-VMSnapshot -Name web-2 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'is ConfirmImpact High' {
        (Get-Command Remove-VMSnapshot).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact |
            Should -Be 'High'
    }
}

Describe 'Get-VMSnapshot filters' {
    BeforeAll { $lab = New-RetentionLab }
    AfterAll { $lab | Stop-KubeVirtLab -Confirm:$false; Disconnect-KubeVirt }

    It 'filters by -Phase, -OlderThan and -Latest' {
        (Get-VMSnapshot -Phase Failed).Name | Should -Be 'db-failed'
        (Get-VMSnapshot -OlderThan ([datetime]'2026-10-15')).Name | Sort-Object | Should -Be @('db-1', 'web-1')
        (Get-VMSnapshot -Latest 1).Name | Sort-Object | Should -Be @('db-failed', 'web-4')
        (Get-VMSnapshot -Phase Succeeded -Latest 1).Name | Sort-Object | Should -Be @('db-2', 'web-4')
        @(Get-VMSnapshot -OlderThan (New-TimeSpan -Days 3650)).Count | Should -Be 0
    }
}

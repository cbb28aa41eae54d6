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
        $mark = Checkpoint-KubeVirtLab
        Remove-VMSnapshot -Name web-1 -Wait -Confirm:$false
        Assert-LabChangeSet -Since $mark -Expected @('Deleted VirtualMachineSnapshot vms/web-1') | Out-Null
        (Get-VMSnapshot).Name | Sort-Object | Should -Be @('db-1', 'db-2', 'db-failed', 'web-2', 'web-3', 'web-4')
    }

    It 'keeps the newest N of each selected VM' {
        $mark = Checkpoint-KubeVirtLab
        Remove-VMSnapshot -VMName web -KeepLast 2 -Wait -Confirm:$false
        Assert-LabChangeSet -Since $mark -Expected @('Deleted VirtualMachineSnapshot vms/web-1', 'Deleted VirtualMachineSnapshot vms/web-2') | Out-Null
        (Get-VMSnapshot -VMName web).Name | Sort-Object | Should -Be @('web-3', 'web-4')
        @(Get-VMSnapshot -VMName db).Count | Should -Be 3
    }

    It 'deletes by age, per VM, from piped VM objects' {
        $mark = Checkpoint-KubeVirtLab
        Get-KubeVirtVM db | Remove-VMSnapshot -OlderThan ([datetime]'2026-11-01') -Wait -Confirm:$false
        Assert-LabChangeSet -Since $mark -Expected @('Deleted VirtualMachineSnapshot vms/db-1') | Out-Null
        (Get-VMSnapshot -VMName db).Name | Sort-Object | Should -Be @('db-2', 'db-failed')
    }

    It 'takes snapshot objects from the pipeline and returns them with -PassThru' {
        $mark = Checkpoint-KubeVirtLab
        $gone = Get-VMSnapshot -Phase Failed | Remove-VMSnapshot -PassThru -Wait -Confirm:$false
        Assert-LabChangeSet -Since $mark -Expected @('Deleted VirtualMachineSnapshot vms/db-failed') | Out-Null
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

    It 'deletes only the reviewed snapshot when it comes back from <Via>, never its siblings' -ForEach @(
        @{ Via = 'Export-Csv and Import-Csv'; RoundTrip = { param($s) $csv = Join-Path $TestDrive 'review.csv'; $s | Export-Csv $csv; Import-Csv $csv } }
        @{ Via = 'ConvertTo-Json and ConvertFrom-Json'; RoundTrip = { param($s) $s | ConvertTo-Json -Depth 3 | ConvertFrom-Json } }
        @{ Via = 'Select-Object Name, VMName, Namespace'; RoundTrip = { param($s) $s | Select-Object Name, VMName, Namespace } }
    ) {
        # Review-then-delete: the trial's Import-Csv | Remove-VMSnapshot read each row as its VM and deleted all of them.
        $reviewed = & $RoundTrip (Get-VMSnapshot -Name web-2)
        $mark = Checkpoint-KubeVirtLab
        $reviewed | Remove-VMSnapshot -Wait -Confirm:$false
        Assert-LabChangeSet -Since $mark -Expected @('Deleted VirtualMachineSnapshot vms/web-2') | Out-Null
        (Get-VMSnapshot -VMName web).Name | Sort-Object | Should -Be @('web-1', 'web-3', 'web-4')
    }

    It 'deletes only a snapshot named like its VM when its row comes back with just Name, VMName and Namespace' {
        New-VMSnapshot db -Name db -Timeout 00:01:00 | Out-Null
        $csv = Join-Path $TestDrive 'same-name.csv'
        Get-VMSnapshot -Name db | Select-Object Name, VMName, Namespace | Export-Csv $csv
        $mark = Checkpoint-KubeVirtLab
        Import-Csv $csv | Remove-VMSnapshot -Wait -Confirm:$false
        # The content (and any volume snapshots) go with it, as KubeVirt's owner references have them go.
        Assert-LabChangeSet -Since $mark -Expected @('Deleted VirtualMachineSnapshot vms/db', 'Deleted VirtualMachineSnapshotContent vms/vmsnapshot-content-*') `
            -IgnoreStatus -ExcludeKind VolumeSnapshot, VolumeSnapshotContent | Out-Null
        (Get-VMSnapshot -VMName db).Name | Sort-Object | Should -Be @('db-1', 'db-2', 'db-failed')
    }

    It 'refuses a piped row whose names hold wildcards, and says which VM it looked at when a name is missing' {
        $mark = Checkpoint-KubeVirtLab
        [pscustomobject]@{ Name = '*'; VMName = 'web'; Namespace = 'vms' } | Remove-VMSnapshot -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'InvalidInputObject,VmSnapshot.Commands.RemoveVMSnapshotCommand'
        [pscustomobject]@{ PSTypeName = 'VmSnapshot.KubeVirtVMSnapshot'; Name = 'web-*'; Namespace = 'vms' } |
            Remove-VMSnapshot -Confirm:$false -ErrorVariable typed -ErrorAction SilentlyContinue
        $typed[0].FullyQualifiedErrorId | Should -Be 'InvalidInputObject,VmSnapshot.Commands.RemoveVMSnapshotCommand'
        Remove-VMSnapshot -Name web-1 -VMName db -Confirm:$false -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2[0].Exception.Message | Should -BeLike "No VM snapshot named 'web-1' of VM 'db' was found in namespace 'vms'*"
        @(Get-KubeVirtLabChange -Since $mark).Count | Should -Be 0
    }

    It 'still selects the VM''s snapshots from a VM that comes back from Import-Csv' {
        $csv = Join-Path $TestDrive 'vms.csv'
        Get-KubeVirtVM db | Export-Csv $csv
        $mark = Checkpoint-KubeVirtLab
        Import-Csv $csv | Remove-VMSnapshot -OlderThan ([datetime]'2026-11-01') -Wait -Confirm:$false
        Assert-LabChangeSet -Since $mark -Expected @('Deleted VirtualMachineSnapshot vms/db-1') | Out-Null
    }

    It 'deletes nothing for a snapshot record whose name belongs to another VM' {
        $mark = Checkpoint-KubeVirtLab
        [pscustomobject]@{ Name = 'web-1'; VMName = 'db'; Namespace = 'vms'; ReadyToUse = 'True' } |
            Remove-VMSnapshot -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        @(Get-KubeVirtLabChange -Since $mark).Count | Should -Be 0
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
            # Which identity the command works as, not only where: two contexts may share a server.
            $err[0].Exception.Message | Should -BeLike "*but this command works on '*' as '*'. Nothing was done with it."
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
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'InvalidInputObject,VmSnapshot.Commands.RemoveVMSnapshotCommand'
        @(Get-VMSnapshot).Count | Should -Be 7
    }

    It 'lists exactly what would go with -WhatIf and deletes nothing' {
        # What-if lines go straight to the host, so a transcript is what can see them.
        $transcript = Join-Path $TestDrive 'whatif.txt'
        $mark = Checkpoint-KubeVirtLab
        Start-Transcript -Path $transcript | Out-Null
        try { Remove-VMSnapshot -VMName '*' -KeepLast 1 -WhatIf } finally { Stop-Transcript | Out-Null }
        # Every line, of every VM: web keeps web-4, db keeps db-2 (its newest usable one; the failed one counts for nothing).
        $targets = @(Select-String -LiteralPath $transcript -Pattern "What if: .*snapshot '([^']+)'" | ForEach-Object { $_.Matches[0].Groups[1].Value })
        $targets | Sort-Object | Should -Be @('vms/db-1', 'vms/db-failed', 'vms/web-1', 'vms/web-2', 'vms/web-3')
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Out-Null
    }

    It 'reports a literal name that does not exist' {
        Remove-VMSnapshot -Name no-such -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'SnapshotNotFound,VmSnapshot.Commands.RemoveVMSnapshotCommand'
        @(Get-VMSnapshot).Count | Should -Be 7
    }

    It 'says which namespace or VM a selection missed, and deletes nothing for it' {
        $mark = Checkpoint-KubeVirtLab
        Remove-VMSnapshot -VMName '*' -Expired -Namespace vmz -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        @($err.FullyQualifiedErrorId) | Should -Be @('NamespaceNotFound,VmSnapshot.Commands.RemoveVMSnapshotCommand')
        # A retention job over a misspelt VM would otherwise never delete anything, and never say why.
        Remove-VMSnapshot -VMName dbb -KeepLast 1 -Confirm:$false -ErrorVariable err2 -ErrorAction SilentlyContinue
        @($err2.FullyQualifiedErrorId) | Should -Be @('VMNotFound,VmSnapshot.Commands.RemoveVMSnapshotCommand')
        $err2[0].TargetObject | Should -Be 'dbb'
        # Snapshots of a VM that is gone are still its snapshots: no error, and -KeepLast keeps them.
        Remove-VMSnapshot -VMName web -KeepLast 10 -Confirm:$false -ErrorVariable err3
        $err3.Count | Should -Be 0
        Assert-LabChangeSet -Since $mark -Expected @() | Out-Null
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
        # -Latest counts usable snapshots only, so -Latest 1 | Restore-VMSnapshot never picks the failed one.
        (Get-VMSnapshot -Latest 1).Name | Sort-Object | Should -Be @('db-2', 'web-4')
        (Get-VMSnapshot -Latest 1 -IncludeUnusable).Name | Sort-Object | Should -Be @('db-failed', 'web-4')
        (Get-VMSnapshot -Phase Succeeded -Latest 1).Name | Sort-Object | Should -Be @('db-2', 'web-4')
        @(Get-VMSnapshot -OlderThan (New-TimeSpan -Days 3650)).Count | Should -Be 0
    }
}


# The nightly runbook of the README, on a cluster as real ones are: every VM has snapshots the runbook took (labelled),
# hand-taken ones, failed ones (no status.creationTime) and, in some tests, one being taken.
Describe 'Retention deletes only what its policy owns' {
    BeforeAll {
        $nightly = @{ 'vmsnapshot.io/policy' = 'nightly' }
        function New-NightlyLab([string] $Name = 'nightly') {
            $documents = @(
                "apiVersion: lab.vmsnapshot.io/v1`nkind: LabSettings`nnamespace: vms"
                "apiVersion: v1`nkind: Namespace`nmetadata:`n  name: vms"
                (New-SnapshotManifest -Name web-n1 -Namespace vms -VMName web -CreationTime '2026-11-20T02:00:00Z' -Labels $nightly)
                (New-SnapshotManifest -Name web-n2 -Namespace vms -VMName web -CreationTime '2026-11-21T02:00:00Z' -Labels $nightly)
                (New-SnapshotManifest -Name web-n3 -Namespace vms -VMName web -CreationTime '2026-11-22T02:00:00Z' -Labels $nightly)
                (New-SnapshotManifest -Name web-failed -Namespace vms -VMName web -Phase Failed -CreationTime '2026-11-23T02:00:00Z' -Labels $nightly)
                (New-SnapshotManifest -Name web-before-upgrade -Namespace vms -VMName web -CreationTime '2026-11-22T15:00:00Z')
                (New-SnapshotManifest -Name db-n1 -Namespace vms -VMName db -CreationTime '2026-11-21T02:00:00Z' -Labels $nightly)
                (New-SnapshotManifest -Name db-failed -Namespace vms -VMName db -Phase Failed -CreationTime '2026-11-22T02:00:00Z' -Labels $nightly)
                (New-SnapshotManifest -Name db-manual -Namespace vms -VMName db -CreationTime '2026-11-10T09:00:00Z')
                (New-SnapshotManifest -Name db-expired -Namespace vms -VMName db -CreationTime '2026-11-01T09:00:00Z' -Annotations @{ 'vmsnapshot.io/expires-at' = '2026-11-04T09:00:00Z' })
                (New-SnapshotManifest -Name db-not-yet -Namespace vms -VMName db -CreationTime '2026-11-01T09:00:00Z' -Annotations @{ 'vmsnapshot.io/expires-at' = '2099-01-01T00:00:00Z' })
            )
            Start-KubeVirtLab -Scenario (New-ScenarioFile -Document $documents) -Name $Name -Connect
        }
    }
    BeforeEach { $lab = New-NightlyLab }
    AfterEach { $lab | Stop-KubeVirtLab -Confirm:$false; Disconnect-KubeVirt }

    It 'keeps the newest usable labelled snapshot of each VM and never touches hand-taken ones' {
        $mark = Checkpoint-KubeVirtLab
        Remove-VMSnapshot -VMName * -Label $nightly -KeepLast 1 -Wait -Confirm:$false
        # web keeps web-n3 (the failed one is newer but protects nothing); db keeps db-n1. before-upgrade and db-manual
        # are not the policy's: they stay, however old.
        Assert-LabChangeSet -Since $mark -Expected @(
            'Deleted VirtualMachineSnapshot vms/web-n1', 'Deleted VirtualMachineSnapshot vms/web-n2'
            'Deleted VirtualMachineSnapshot vms/web-failed', 'Deleted VirtualMachineSnapshot vms/db-failed'
        ) | Out-Null
        (Get-VMSnapshot).Name | Sort-Object | Should -Be @('db-expired', 'db-manual', 'db-n1', 'db-not-yet', 'web-before-upgrade', 'web-n3')
    }

    It 'runs the README''s nightly runbook twice without ever deleting the hand-taken snapshot' {
        foreach ($run in 1..2) {
            Remove-VMSnapshot -VMName * -Label $nightly -KeepLast 2 -Wait -Confirm:$false
        }
        (Get-VMSnapshot -VMName web).Name | Sort-Object | Should -Be @('web-before-upgrade', 'web-n2', 'web-n3')
    }

    It 'deletes only expired snapshots with -Expired and shows ExpiresAt' {
        (Get-VMSnapshot -Name db-expired).ExpiresAt | Should -Be ([datetime]'2026-11-04T09:00:00Z').ToLocalTime()
        (Get-VMSnapshot -Expired).Name | Should -Be 'db-expired'
        $mark = Checkpoint-KubeVirtLab
        Remove-VMSnapshot -VMName * -Expired -Wait -Confirm:$false
        Assert-LabChangeSet -Since $mark -Expected @('Deleted VirtualMachineSnapshot vms/db-expired') | Out-Null
    }

    It 'selects by label on Get-VMSnapshot and shows Labels' {
        (Get-VMSnapshot -Label $nightly).Name | Sort-Object | Should -Be @('db-failed', 'db-n1', 'web-failed', 'web-n1', 'web-n2', 'web-n3')
        (Get-VMSnapshot -Name web-n1).Labels['vmsnapshot.io/policy'] | Should -Be 'nightly'
        (Get-VMSnapshot -Name web-before-upgrade).Labels.Count | Should -Be 0
        # A named snapshot without the labels is not selected, and says so.
        Get-VMSnapshot -Name web-before-upgrade -Label $nightly -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'SnapshotNotFound,VmSnapshot.Commands.GetVMSnapshotCommand'
    }

    It 'refuses a bad -OlderThan (<Value>) before deleting anything' -ForEach @(
        @{ Value = '-7d' }, @{ Value = '0d' }, @{ Value = '-1.00:00:00' }, @{ Value = '2099-01-01' }, @{ Value = 'soon' }
    ) {
        $mark = Checkpoint-KubeVirtLab
        { Remove-VMSnapshot -VMName * -OlderThan $Value -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,VmSnapshot.Commands.RemoveVMSnapshotCommand'
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Out-Null
    }

    It 'says to quote a short age that PowerShell read as a number, and deletes nothing' {
        $mark = Checkpoint-KubeVirtLab
        { Remove-VMSnapshot -VMName * -OlderThan 7d -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,VmSnapshot.Commands.RemoveVMSnapshotCommand' -ExpectedMessage "*'7' is a number, not an age*Quote a short age ('7d'*"
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Out-Null
    }

    It 'takes -OlderThan as 7d, 12h or a TimeSpan' {
        $mark = Checkpoint-KubeVirtLab
        Remove-VMSnapshot -VMName db -Label $nightly -OlderThan '7d' -Wait -Confirm:$false
        Assert-LabChangeSet -Since $mark -Expected @('Deleted VirtualMachineSnapshot vms/db-n1', 'Deleted VirtualMachineSnapshot vms/db-failed') | Out-Null
        (Get-VMSnapshot -OlderThan '12h').Count | Should -BeGreaterThan 0
    }

    It 'refuses a label that is not a label, before anything is read' {
        $requests = $lab.RequestCount
        { Remove-VMSnapshot -VMName * -Label @{ policy = 'nightly,x!=y' } -KeepLast 1 -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidLabel,VmSnapshot.Commands.RemoveVMSnapshotCommand'
        $lab.RequestCount | Should -Be $requests
    }

    It 'never deletes a snapshot that is still being taken, and says so' {
        $slow = Start-KubeVirtLab -Name 'nightly-slow' -ClockSpeed 1 -Connect
        try {
            New-VMSnapshot rhel8-brainy-bear -Name rhel-being-taken -NoWait | Out-Null
            $mark = Checkpoint-KubeVirtLab
            Remove-VMSnapshot -VMName rhel8-brainy-bear -KeepLast 0 -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue
            ($warnings.Message -join "`n") | Should -BeLike "*Kept snapshot 'vms/rhel-being-taken': it is still being taken*"
            @(Get-KubeVirtLabChange -Since $mark -Kind VirtualMachineSnapshot | Where-Object Name -eq rhel-being-taken |
                Where-Object Change -in 'Deleted', 'CreatedAndDeleted').Count | Should -Be 0
        }
        finally { $slow | Stop-KubeVirtLab -Confirm:$false }
    }

    It 'refuses to delete a snapshot a restore in progress reads from' {
        $slow = Start-KubeVirtLab -Name 'nightly-restore' -ClockSpeed 1 -Connect
        try {
            $snapshot = New-VMSnapshot centos-stopped -Name centos-in-use -Timeout (New-TimeSpan -Seconds 60)
            $snapshot | Restore-VMSnapshot -NoWait -Confirm:$false | Out-Null
            $mark = Checkpoint-KubeVirtLab
            Remove-VMSnapshot -Name centos-in-use -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'SnapshotInUse,VmSnapshot.Commands.RemoveVMSnapshotCommand'
            $err[0].Exception.Message | Should -BeLike "*restore 'centos-stopped-restore-*' in progress*"
            Get-KubeVirtLabChange -Since $mark -Kind VirtualMachineSnapshot | Where-Object Change -in 'Deleted', 'Updated' | Should -BeNullOrEmpty
        }
        finally { $slow | Stop-KubeVirtLab -Confirm:$false }
    }
}

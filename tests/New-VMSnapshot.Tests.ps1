# Taking snapshots on the lab, whose controllers behave like KubeVirt's (a fast lab clock keeps this quick).
BeforeAll {
    . "$PSScriptRoot/common.ps1"
    Import-Module $ModuleManifest -Force
    $lab = Start-KubeVirtLab -Name 'new-tests' -ClockSpeed 20 -Connect
    $timeout = New-TimeSpan -Seconds 45
}

AfterAll {
    $lab | Stop-KubeVirtLab -Confirm:$false
    Disconnect-KubeVirt
}

Describe 'New-VMSnapshot' {
    It 'snapshots the Windows VM application-consistently and records who and why' {
        $snapshot = New-VMSnapshot -VMName win2k19-profound-gecko -Name win-pre-patch -Description 'before KB5034439' -RequireQuiesce -Timeout $timeout
        $snapshot | Should -BeOfType ([VmSnapshot.KubeVirtVMSnapshot])
        $snapshot.Phase | Should -Be 'Succeeded'
        $snapshot.ReadyToUse | Should -BeTrue
        $snapshot.Consistency | Should -Be 'ApplicationConsistent'
        $snapshot.Indications | Sort-Object | Should -Be @('GuestAgent', 'Online')
        $snapshot.Description | Should -Be 'before KB5034439'
        $snapshot.CreatedBy | Should -Be $lab.Name
        $snapshot.IncludedVolumes.Count | Should -Be 2
        (Get-VMSnapshot -Name win-pre-patch).ReadyToUse | Should -BeTrue
    }

    It 'names the snapshot like the OpenShift console when -Name is left out' {
        $snapshot = New-VMSnapshot rhel8-brainy-bear -Timeout $timeout
        $snapshot.Name | Should -Match '^rhel8-brainy-bear-snapshot-\d{8}-\d{6}$'
    }

    It 'keeps a crash-consistent snapshot but reports -RequireQuiesce not achieved without a guest agent' {
        $result = New-VMSnapshot fedora-no-agent -Name fedora-quiesce -RequireQuiesce -Timeout $timeout -ErrorVariable err -ErrorAction SilentlyContinue
        $result | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'QuiesceNotAchieved,VmSnapshot.Commands.NewVMSnapshotCommand'
        $err[0].Exception.Message | Should -BeLike '*no QEMU guest agent*'
        $err[0].ErrorDetails.RecommendedAction | Should -BeLike '*Test-GuestQuiesce*'
        $err[0].TargetObject.Consistency | Should -Be 'CrashConsistent'
        (Get-VMSnapshot -Name fedora-quiesce).Indications | Should -Contain 'NoGuestAgent'
    }

    It 'takes an offline snapshot of a stopped VM and a crash-consistent one of a paused VM' {
        (New-VMSnapshot centos-stopped -Name centos-offline -Timeout $timeout).Consistency | Should -Be 'Offline'
        $paused = New-VMSnapshot app-paused -Name paused-snap -Timeout $timeout
        $paused.Consistency | Should -Be 'CrashConsistent'
        $paused.Indications | Should -Contain 'Paused'
    }

    It 'warns per disk the snapshot will not capture, and -RequireAllVolumes refuses before creating anything' {
        $snapshot = New-VMSnapshot db-nfs-data -Name nfs-partial -Timeout $timeout -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings.Count | Should -Be 1
        $warnings[0].Message | Should -BeLike "*disk 'data'*No VolumeSnapshotClass*"
        $snapshot.ExcludedVolumes | Should -Contain 'data'
        # Application-consistent for what it holds, but the data disk is not in it: it must not read as fully protected.
        $snapshot.Indications | Should -Contain 'PartialSnapshot'
        $snapshot.Coverage | Should -Be 'Partial'
        (Get-VMSnapshot -Name nfs-partial).Coverage | Should -Be 'Partial'

        New-VMSnapshot db-nfs-data -Name nfs-strict -RequireAllVolumes -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'VolumesNotCaptured,VmSnapshot.Commands.NewVMSnapshotCommand'
        Get-VMSnapshot -Name nfs-strict -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'snapshots VMs from the pipeline concurrently, one result each, and creates exactly their snapshots' {
        $mark = Checkpoint-KubeVirtLab
        $results = Get-KubeVirtVM -Name win2k19-profound-gecko, rhel8-brainy-bear | New-VMSnapshot -ThrottleLimit 2 -Timeout $timeout
        $results.Count | Should -Be 2
        $results.VMName | Sort-Object | Should -Be @('rhel8-brainy-bear', 'win2k19-profound-gecko')
        $results.ReadyToUse | Should -Be @($true, $true)
        # Windows has two captured disks, RHEL one: one VolumeSnapshot (and content) per disk, one snapshot per VM.
        $changes = Assert-LabChangeSet -Since $mark -IgnoreStatus -Expected @(
            'Created VirtualMachineSnapshot vms/rhel8-brainy-bear-snapshot-*'
            'Created VirtualMachineSnapshot vms/win2k19-profound-gecko-snapshot-*'
            'Created VirtualMachineSnapshotContent vms/vmsnapshot-content-*'
            'Created VolumeSnapshot vms/vmsnapshot-*'
            'Created VolumeSnapshotContent snapcontent-*'
        )
        @($changes | Where-Object Kind -eq VirtualMachineSnapshot).Name | Sort-Object | Should -Be ($results.Name | Sort-Object)
        @($changes | Where-Object Kind -eq VirtualMachineSnapshotContent).Count | Should -Be 2
    }

    It 'goes on with the other VMs when one fails, with one error for that VM' {
        $results = 'rhel8-brainy-bear', 'no-such-vm', 'centos-stopped' | New-VMSnapshot -Timeout $timeout -ErrorVariable err -ErrorAction SilentlyContinue
        $results.VMName | Sort-Object | Should -Be @('centos-stopped', 'rhel8-brainy-bear')
        $err.Count | Should -Be 1
        $err[0].TargetObject | Should -Be 'no-such-vm'
    }

    It 'waits for several snapshots started with -NoWait' {
        $started = 'rhel8-brainy-bear', 'centos-stopped', 'win2k19-profound-gecko' | New-VMSnapshot -NoWait
        $done = $started | Wait-VMSnapshot -Timeout $timeout
        $done.Count | Should -Be 3
        $done.ReadyToUse | Should -Be @($true, $true, $true)
    }

    It 'mirrors progress to the verbose stream for runbooks' {
        $verbose = New-VMSnapshot rhel8-brainy-bear -Name rhel-verbose -Timeout $timeout -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        ($verbose.Message -join "`n") | Should -BeLike '*vms/rhel-verbose: created*'
        ($verbose.Message -join "`n") | Should -BeLike '*vms/rhel-verbose: Ready*'
        # The volume counts (from the content's watch, which may lag) are left off the final line.
        $verbose.Message | Where-Object { $_ -like '*vms/rhel-verbose: Ready*' } | Should -Not -BeLike '*volumes cut*'
    }

    It 'returns at once with -NoWait, and Wait-VMSnapshot finishes the wait' {
        $started = New-VMSnapshot rhel8-brainy-bear -Name rhel-nowait -NoWait
        $started.ReadyToUse | Should -BeFalse
        $done = $started | Wait-VMSnapshot -Timeout $timeout
        $done.Name | Should -Be 'rhel-nowait'
        $done.ReadyToUse | Should -BeTrue
    }

    It 'refuses a name that exists, leaving the existing snapshot alone' {
        # A snapshot the default scenario seeds, so this test depends on no other test.
        $mark = Checkpoint-KubeVirtLab
        New-VMSnapshot rhel8-brainy-bear -Name rhel8-brainy-bear-before-upgrade -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'SnapshotExists,VmSnapshot.Commands.NewVMSnapshotCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Out-Null
    }

    It 'refuses a VM that does not exist and creates nothing' {
        $mark = Checkpoint-KubeVirtLab
        New-VMSnapshot no-such-vm -Name ghost -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'VMNotFound,VmSnapshot.Commands.NewVMSnapshotCommand'
        $err[0].TargetObject | Should -Be 'no-such-vm'
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Out-Null
    }

    It 'checks the name before sending anything' {
        $requests = $lab.RequestCount
        New-VMSnapshot rhel8-brainy-bear -Name 'Pre_Patch' -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'InvalidSnapshotName,VmSnapshot.Commands.NewVMSnapshotCommand'
        $err[0].Exception.Message | Should -BeLike '*lower case*'
        $lab.RequestCount | Should -Be $requests
    }

    It 'matches VM names whatever their case, and refuses a negative deadline or timeout before creating anything' {
        (New-VMSnapshot RHEL8-Brainy-Bear -Name rhel-upper -Timeout $timeout).VMName | Should -Be 'rhel8-brainy-bear'
        { New-VMSnapshot rhel8-brainy-bear -Name rhel-negative -FailureDeadline ([timespan]::FromSeconds(-5)) } | Should -Throw -ErrorId 'ParameterArgumentValidationError,VmSnapshot.Commands.NewVMSnapshotCommand'
        { New-VMSnapshot rhel8-brainy-bear -Name rhel-negative -Timeout ([timespan]::FromSeconds(-5)) } | Should -Throw -ErrorId 'ParameterArgumentValidationError,VmSnapshot.Commands.NewVMSnapshotCommand'
        Get-VMSnapshot -Name rhel-negative -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'explains that KubeVirt has no memory snapshots' {
        { New-VMSnapshot rhel8-brainy-bear -Memory } | Should -Throw -ErrorId 'MemorySnapshotNotSupported,VmSnapshot.Commands.NewVMSnapshotCommand'
    }

    It 'writes the manifest with -AsManifest and creates nothing' {
        $yaml = New-VMSnapshot rhel8-brainy-bear -Name rhel-manifest -FailureDeadline (New-TimeSpan -Minutes 10) -DeletionPolicy Retain -Label @{ change = 'CHG0042' } -AsManifest
        $yaml | Should -BeLike '*kind: VirtualMachineSnapshot*'
        $yaml | Should -BeLike '*failureDeadline: 10m0s*'
        $yaml | Should -BeLike '*deletionPolicy: Retain*'
        $yaml | Should -BeLike '*change: CHG0042*'
        Get-VMSnapshot -Name rhel-manifest -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'creates nothing with -WhatIf, and previews the refusals and warnings the real run would give' {
        $mark = Checkpoint-KubeVirtLab
        New-VMSnapshot rhel8-brainy-bear -Name rhel-whatif -WhatIf
        Get-KubeVirtVM | New-VMSnapshot -WhatIf -WarningAction SilentlyContinue
        New-VMSnapshot no-such-vm -WhatIf -ErrorVariable err -ErrorAction SilentlyContinue
        @($err.FullyQualifiedErrorId) | Should -Be @('VMNotFound,VmSnapshot.Commands.NewVMSnapshotCommand')
        $err[0].Exception.Message | Should -BeLike "No VM named 'no-such-vm'*Nothing was created."
        New-VMSnapshot db-nfs-data -WhatIf -WarningVariable warned -WarningAction SilentlyContinue
        @($warned).Count | Should -BeGreaterThan 0
        $warned[0].Message | Should -BeLike "VM 'db-nfs-data': the snapshot will not contain the data of disk*"
        New-VMSnapshot db-nfs-data -RequireAllVolumes -WhatIf -ErrorVariable err2 -ErrorAction SilentlyContinue
        @($err2.FullyQualifiedErrorId) | Should -Be @('VolumesNotCaptured,VmSnapshot.Commands.NewVMSnapshotCommand')
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Out-Null
    }

    It 'warns while a freeze error is retried and reports the deadline it ends in' {
        $token = [System.Net.NetworkCredential]::new('', $lab.GetToken()).Password
        $vmPath = "$($lab.Server)apis/kubevirt.io/v1/namespaces/vms/virtualmachines/rhel8-brainy-bear"
        $broken = @{ metadata = @{ annotations = @{ 'lab.vmsnapshot.io/guest-agent' = '{"os":"rhel","freezeError":"fsfreeze hook has failed with status 1"}' } } } | ConvertTo-Json -Depth 5
        Invoke-RestMethod -Method Patch -Uri $vmPath -Headers @{ Authorization = "Bearer $token" } -ContentType 'application/merge-patch+json' -Body $broken | Out-Null
        try {
            New-VMSnapshot rhel8-brainy-bear -Name rhel-freeze-fails -FailureDeadline (New-TimeSpan -Seconds 30) -Timeout $timeout -ErrorVariable err -ErrorAction SilentlyContinue -WarningVariable warnings -WarningAction SilentlyContinue
            ($warnings.Message -join "`n") | Should -BeLike '*keeps retrying*command Freeze failed*'
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'SnapshotDeadlineExceeded,VmSnapshot.Commands.NewVMSnapshotCommand'
            $err[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
            $err[0].TargetObject.Phase | Should -Be 'Failed'
            (Get-KubeVirtVM rhel8-brainy-bear).SnapshotInProgress | Should -BeNullOrEmpty
        }
        finally {
            $fixed = @{ metadata = @{ annotations = @{ 'lab.vmsnapshot.io/guest-agent' = $null } } } | ConvertTo-Json -Depth 5
            Invoke-RestMethod -Method Patch -Uri $vmPath -Headers @{ Authorization = "Bearer $token" } -ContentType 'application/merge-patch+json' -Body $fixed | Out-Null
        }
    }

    It 'reports a wait that runs out as WaitTimedOut and leaves the snapshot to the cluster' {
        $slowLab = Start-KubeVirtLab -Name 'slow' -ClockSpeed 0.01
        try {
            $connection = Connect-KubeVirt -Kubeconfig $slowLab.KubeconfigPath -PassThru
            New-VMSnapshot rhel8-brainy-bear -Name slow-snap -Connection $connection -Timeout (New-TimeSpan -Seconds 2) -ErrorVariable err -ErrorAction SilentlyContinue
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'WaitTimedOut,VmSnapshot.Commands.NewVMSnapshotCommand'
            $err[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
            (Get-VMSnapshot -Name slow-snap -Connection $connection).Name | Should -Be 'slow-snap'
        }
        finally {
            $slowLab | Stop-KubeVirtLab -Confirm:$false
        }
    }

    It 'stops promptly on Ctrl+C while waiting, leaving the snapshot to the cluster' {
        $slowLab = Start-KubeVirtLab -Name 'ctrl-c' -ClockSpeed 0.01
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript({
                param($manifest, $kubeconfig)
                Import-Module $manifest
                Connect-KubeVirt -Kubeconfig $kubeconfig
                New-VMSnapshot rhel8-brainy-bear -Name stopped-wait
            }).AddArgument($ModuleManifest).AddArgument($slowLab.KubeconfigPath)
            $handle = $shell.BeginInvoke()
            $connection = Connect-KubeVirt -Kubeconfig $slowLab.KubeconfigPath -PassThru
            $deadline = (Get-Date).AddSeconds(20)
            while (-not (Get-VMSnapshot -Name stopped-wait -Connection $connection -ErrorAction SilentlyContinue) -and (Get-Date) -lt $deadline) {
                Start-Sleep -Milliseconds 100
            }
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $shell.Stop()   # what Ctrl+C does
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 5
            $shell.InvocationStateInfo.State | Should -Be 'Stopped'
            (Get-VMSnapshot -Name stopped-wait -Connection $connection).Name | Should -Be 'stopped-wait'
        }
        finally {
            $shell.Dispose()
            $slowLab | Stop-KubeVirtLab -Confirm:$false
        }
    }

    It 'refuses a user who may not create snapshots, naming the permission' {
        $viewerScenario = New-ScenarioFile -Document @(
            @'
apiVersion: lab.vmsnapshot.io/v1
kind: LabSettings
namespace: vms
users:
  - name: viewer
    token: viewer-token
    rules:
      - apiGroups: ["snapshot.kubevirt.io", "kubevirt.io"]
        resources: ["virtualmachinesnapshots", "virtualmachines", "virtualmachineinstances"]
        verbs: ["get", "list", "watch"]
'@
            'apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: web
  namespace: vms
spec:
  runStrategy: Halted
  template:
    spec:
      domain:
        devices: {}'
        )
        $viewerLab = Start-KubeVirtLab -Scenario $viewerScenario -Name 'viewer'
        try {
            $viewer = Connect-KubeVirt -Server $viewerLab.Server -Token (ConvertTo-SecureString 'viewer-token' -AsPlainText) -Namespace vms -PassThru
            New-VMSnapshot web -Name web-denied -Connection $viewer -ErrorVariable err -ErrorAction SilentlyContinue
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'Forbidden,VmSnapshot.Commands.NewVMSnapshotCommand'
            $err[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
            $err[0].Exception.Message | Should -BeLike '*cannot create resource "virtualmachinesnapshots"*'
        }
        finally {
            $viewerLab | Stop-KubeVirtLab -Confirm:$false
        }
    }
}

Describe 'New-VMSnapshot failures and the cluster''s state' {
    # Each test has its own lab, so its change set holds its own work only.
    BeforeEach {
        $ownLab = Start-KubeVirtLab -Name 'new-failures' -ClockSpeed 20
        $own = Connect-KubeVirt -Kubeconfig $ownLab.KubeconfigPath -PassThru
    }

    AfterEach {
        $ownLab | Stop-KubeVirtLab -Confirm:$false
    }

    It 'keeps the crash-consistent snapshot of -RequireQuiesce and creates nothing else' {
        $mark = $ownLab | Checkpoint-KubeVirtLab
        New-VMSnapshot fedora-no-agent -Name fedora-strict -RequireQuiesce -Connection $own -Timeout $timeout -ErrorVariable err -ErrorAction SilentlyContinue |
            Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'QuiesceNotAchieved,VmSnapshot.Commands.NewVMSnapshotCommand'
        # The snapshot and its data, nothing more: the VM's lock came and went, no other object was touched.
        Assert-LabChangeSet -Since $mark -Expected @(
            'Created VirtualMachineSnapshot vms/fedora-strict'
            'Created VirtualMachineSnapshotContent vms/vmsnapshot-content-*'
            'Created VolumeSnapshot vms/vmsnapshot-*-volume-rootdisk'
            'Created VolumeSnapshotContent snapcontent-*'
        ) | Out-Null
    }

    It 'reports a failure deadline from the Failure condition, as a real cluster records it, and leaves only the failed snapshot' {
        # Like KubeVirt's functional tests: a webhook denies every VolumeSnapshot, so the deadline ends the snapshot.
        $token = [System.Net.NetworkCredential]::new('', $ownLab.GetToken()).Password
        $headers = @{ Authorization = "Bearer $token" }
        $storage = @{ metadata = @{ annotations = @{ 'lab.vmsnapshot.io/storage' = '{"rejectVolumeSnapshots": "admission webhook \"deny-vs\" denied the request"}' } } } |
            ConvertTo-Json -Depth 5
        Invoke-RestMethod -Method Patch -Uri "$($ownLab.Server)apis/storage.k8s.io/v1/storageclasses/trident-svm" -Headers $headers `
            -ContentType 'application/merge-patch+json' -Body $storage | Out-Null
        $mark = $ownLab | Checkpoint-KubeVirtLab

        New-VMSnapshot rhel8-brainy-bear -Name rhel-late -FailureDeadline (New-TimeSpan -Seconds 30) -Connection $own -Timeout $timeout -ErrorVariable err -ErrorAction SilentlyContinue |
            Should -BeNullOrEmpty

        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'SnapshotDeadlineExceeded,VmSnapshot.Commands.NewVMSnapshotCommand'
        $err[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        $err[0].TargetObject.Phase | Should -Be 'Failed'
        $err[0].TargetObject.Error | Should -Be 'snapshot deadline exceeded'
        (Get-VMSnapshot rhel-late -Connection $own).Error | Should -Be 'snapshot deadline exceeded'
        $raw = Invoke-RestMethod -Uri "$($ownLab.Server)apis/snapshot.kubevirt.io/v1beta1/namespaces/vms/virtualmachinesnapshots/rhel-late" -Headers $headers
        $raw.status.PSObject.Properties.Name | Should -Not -Contain 'error'
        $raw.status.PSObject.Properties.Name | Should -Not -Contain 'creationTime'
        ($raw.status.conditions | Where-Object type -eq Failure).reason | Should -Be 'snapshot deadline exceeded'
        # The unready content was deleted with the failure; the VM was unlocked and thawed, as it was before.
        Assert-LabChangeSet -Since $mark -Expected @(
            'Created VirtualMachineSnapshot vms/rhel-late'
            'CreatedAndDeleted VirtualMachineSnapshotContent vms/vmsnapshot-content-*'
        ) | Out-Null
    }
}

Describe 'New-VMSnapshot -ExpiresAfter' {
    BeforeAll { $expiryLab = Start-KubeVirtLab -Name 'expiry-tests' -ClockSpeed 20 -Connect }
    AfterAll { $expiryLab | Stop-KubeVirtLab -Confirm:$false; Disconnect-KubeVirt }

    It 'records the expiry in the annotation, shows ExpiresAt, and nothing else changes' {
        $before = [datetime]::UtcNow
        $mark = Checkpoint-KubeVirtLab
        $snapshot = New-VMSnapshot centos-stopped -Name centos-expiring -ExpiresAfter (New-TimeSpan -Days 3) -Timeout $timeout
        $snapshot.ExpiresAt.ToUniversalTime() | Should -BeGreaterOrEqual $before.AddDays(3).AddSeconds(-1)
        $snapshot.ExpiresAt.ToUniversalTime() | Should -BeLessOrEqual ([datetime]::UtcNow.AddDays(3).AddSeconds(1))
        Assert-LabChangeSet -Since $mark -IgnoreStatus -Expected @(
            'Created VirtualMachineSnapshot vms/centos-expiring'
            'Created VirtualMachineSnapshotContent vms/vmsnapshot-content-*'
            'Created VolumeSnapshot vms/vmsnapshot-*'
            'Created VolumeSnapshotContent snapcontent-*'
        ) | Out-Null
        New-VMSnapshot centos-stopped -Name centos-expiring-2 -ExpiresAfter '3.00:00:00' -AsManifest |
            Should -Match "vmsnapshot.io/expires-at: '?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
    }

    It 'takes the short forms -OlderThan takes (<Age>)' -ForEach @(
        @{ Age = '3d'; Expected = [timespan]::FromDays(3) }
        @{ Age = '12h'; Expected = [timespan]::FromHours(12) }
        @{ Age = '90m'; Expected = [timespan]::FromMinutes(90) }
    ) {
        $manifest = New-VMSnapshot centos-stopped -Name centos-short-expiry -ExpiresAfter $Age -AsManifest
        $at = [datetime]::Parse(([regex]::Match($manifest, "vmsnapshot.io/expires-at: '?([0-9TZ:-]+)")).Groups[1].Value,
            [cultureinfo]::InvariantCulture, [Globalization.DateTimeStyles]::AdjustToUniversal)
        ($at - [datetime]::UtcNow - $Expected).Duration() | Should -BeLessThan ([timespan]::FromMinutes(1))
    }

    It 'refuses a bare number (<_>), which PowerShell would make a TimeSpan of that many ticks, before creating anything' -ForEach @(7, 3.5) {
        # -ExpiresAfter 7 was 7 ticks: a snapshot that expired at once and went with the next Remove-VMSnapshot -Expired.
        $mark = Checkpoint-KubeVirtLab
        { New-VMSnapshot centos-stopped -Name centos-number-expiry -ExpiresAfter $_ -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,VmSnapshot.Commands.NewVMSnapshotCommand' -ExpectedMessage "*is a number, not an age*"
        { Invoke-VMChange centos-stopped -ScriptBlock { } -KeepSnapshotFor $_ -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,VmSnapshot.Commands.InvokeVMChangeCommand'
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Out-Null
    }

    It 'refuses an expiry of <_> before creating anything' -ForEach @('00:00:00', '-1.00:00:00', '3651.00:00:00', '0d', '-2d') {
        $mark = Checkpoint-KubeVirtLab
        { New-VMSnapshot centos-stopped -Name centos-bad-expiry -ExpiresAfter $_ -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidExpiry,VmSnapshot.Commands.NewVMSnapshotCommand'
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Out-Null
    }
}

Describe 'One snapshot name for several VMs' {
    BeforeAll { $oneNameLab = Start-KubeVirtLab -Name 'one-name' -ClockSpeed 20 -Connect }
    AfterAll { $oneNameLab | Stop-KubeVirtLab -Confirm:$false; Disconnect-KubeVirt }

    It 'refuses -Name with several VMs before creating any' {
        $mark = Checkpoint-KubeVirtLab
        { New-VMSnapshot rhel8-brainy-bear, centos-stopped -Name shared -ErrorAction Stop } |
            Should -Throw -ErrorId 'DuplicateSnapshotName,VmSnapshot.Commands.NewVMSnapshotCommand'
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Out-Null
    }
}

Describe 'Labels and annotations the API server would refuse' {
    BeforeAll { $metaLab = Start-KubeVirtLab -Name 'meta-tests' -ClockSpeed 20 -Connect }
    AfterAll { $metaLab | Stop-KubeVirtLab -Confirm:$false; Disconnect-KubeVirt }

    It 'refuses -Label with a <Name> before sending anything: one InvalidLabel error, nothing created' -ForEach @(
        @{ Name = 'key with a space and a !'; Label = @{ 'bad key!' = 'v' }; Target = 'bad key!' }
        @{ Name = 'key with two slashes'; Label = @{ 'a/b/c' = 'v' }; Target = 'a/b/c' }
        @{ Name = 'key in an upper-case domain'; Label = @{ 'Example.com/team' = 'v' }; Target = 'Example.com/team' }
        @{ Name = 'value of 64 characters'; Label = @{ team = 'a' * 64 }; Target = ('a' * 60) + '... (64 characters)' }
        @{ Name = 'value ending in a dash'; Label = @{ team = 'web-' }; Target = 'web-' }
    ) {
        $before = @(Get-VMSnapshot | ForEach-Object Name | Sort-Object)
        $mark = Checkpoint-KubeVirtLab
        $requests = $metaLab.RequestCount
        $caught = @()
        try { New-VMSnapshot centos-stopped -Name centos-labelled -Label $Label -NoWait -ErrorVariable err -ErrorAction Stop } catch { $caught += $_ }
        $caught.Count | Should -Be 1
        $err.Count | Should -Be 1
        $caught[0].FullyQualifiedErrorId | Should -Be 'InvalidLabel,VmSnapshot.Commands.NewVMSnapshotCommand'
        $caught[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $caught[0].TargetObject | Should -Be $Target
        $caught[0].Exception.Message | Should -BeLike '*Nothing was created.'
        $caught[0].ErrorDetails.RecommendedAction | Should -BeLike '*at most 63*'
        $metaLab.RequestCount | Should -Be $requests
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Out-Null
        @(Get-VMSnapshot | ForEach-Object Name | Sort-Object) | Should -Be $before
    }

    It 'refuses a 300 KB -Description (annotations hold 256 KiB in all) before sending anything, also with -AsManifest' {
        $description = 'd' * (300 * 1024)
        $before = @(Get-VMSnapshot | ForEach-Object Name | Sort-Object)
        $mark = Checkpoint-KubeVirtLab
        $requests = $metaLab.RequestCount
        $caught = @()
        try { New-VMSnapshot centos-stopped -Name centos-described -Description $description -NoWait -ErrorVariable err -ErrorAction Stop } catch { $caught += $_ }
        $caught.Count | Should -Be 1
        $err.Count | Should -Be 1
        $caught[0].FullyQualifiedErrorId | Should -Be 'InvalidAnnotation,VmSnapshot.Commands.NewVMSnapshotCommand'
        $caught[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $caught[0].TargetObject | Should -Be (('d' * 60) + '... (307200 characters)')
        $caught[0].Exception.Message | Should -BeLike "*'description' annotation is too large*262144 bytes*Nothing was created."
        $caught[0].ErrorDetails.RecommendedAction | Should -BeLike 'Shorten -Description*'
        { New-VMSnapshot centos-stopped -Name centos-described -Description $description -AsManifest -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidAnnotation,VmSnapshot.Commands.NewVMSnapshotCommand'
        $metaLab.RequestCount | Should -Be $requests
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Out-Null
        @(Get-VMSnapshot | ForEach-Object Name | Sort-Object) | Should -Be $before
    }

    It 'accepts what the API server accepts: a prefixed key, an empty value and a 200 KB description' {
        $snapshot = New-VMSnapshot centos-stopped -Name centos-big-note -Label @{ 'example.com/team' = ''; Tier_1 = 'A.b-c' } -Description ('d' * (200 * 1024)) -NoWait
        $snapshot.Name | Should -Be 'centos-big-note'
        $stored = Get-VMSnapshot -Name centos-big-note
        $stored.Description.Length | Should -Be (200 * 1024)
        $stored.Labels['example.com/team'] | Should -Be ''
    }
}

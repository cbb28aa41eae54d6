# Snapshot-protected changes on the lab: the whole effect on the cluster for success, rollback, failed rollback,
# Keep, canary, -WhatIf, refusals, the Azure Update Manager phases, Ctrl+C and many VMs.
BeforeAll {
    . "$PSScriptRoot/common.ps1"
    Import-Module $ModuleManifest -Force
    $fast = @{ HealthInterval = '00:00:00.1'; HealthTimeout = '00:00:04'; Timeout = '00:01:00'; Confirm = $false }

    function Invoke-LabApi([string] $Method, [string] $Path, [string] $Body, [string] $ContentType = 'application/merge-patch+json') {
        $token = [System.Net.NetworkCredential]::new('', $lab.GetToken()).Password
        Invoke-RestMethod -Method $Method -Uri "$($lab.Server)$Path" -Headers @{ Authorization = "Bearer $token" } -ContentType $ContentType -Body $Body
    }

    # A bad update: the guest of the VM's next boot fails its readiness probe (see src/Lab/GuestAgent/GuestHealth.cs).
    function Set-BrokenGuest([string] $VMName, [switch] $Reboot, [string] $Health = 'not-ready') {
        Invoke-LabApi PATCH "apis/kubevirt.io/v1/namespaces/vms/virtualmachines/$VMName" `
            "{`"spec`":{`"template`":{`"metadata`":{`"annotations`":{`"lab.vmsnapshot.io/guest-health`":`"$Health`"}}}}}" | Out-Null
        if ($Reboot) { Invoke-LabApi PUT "apis/subresources.kubevirt.io/v1/namespaces/vms/virtualmachines/$VMName/restart" '{}' 'application/json' | Out-Null }
    }

    function Get-SafetySnapshot([string] $ChangeId) {
        (Invoke-LabApi GET "apis/snapshot.kubevirt.io/v1beta1/namespaces/vms/virtualmachinesnapshots?labelSelector=vmsnapshot.io/change-id=$ChangeId").items
    }
}

Describe 'Invoke-VMChange' {
    BeforeEach { $lab = Start-KubeVirtLab -Name 'change-tests' -ClockSpeed 100 -Connect }
    AfterEach { $lab | Stop-KubeVirtLab -Confirm:$false; Disconnect-KubeVirt }

    It 'takes a labelled safety snapshot, runs the change, passes the health gate and keeps the snapshot until it expires' {
        $mark = Checkpoint-KubeVirtLab
        $seen = @{}
        $result = Invoke-VMChange rhel8-brainy-bear -ChangeId CHG0001 -ScriptBlock {
            param($vm, $context)
            $seen.VM = $vm.Name; $seen.Snapshot = $context.Snapshot.Name; $seen.Ready = $context.Snapshot.ReadyToUse; $seen.Id = $context.ChangeId
        } @fast

        $result | Should -BeOfType ([VmSnapshot.KubeVirtVMChange])
        $result.Outcome | Should -Be 'Succeeded'
        $result.Steps.Name | Should -Be @('Snapshot', 'Change', 'HealthGate', 'Cleanup')
        $result.Steps.Result | Should -Be @('Succeeded', 'Succeeded', 'Succeeded', 'Succeeded')
        $result.HealthSamples.Count | Should -Be 3   # ConsecutivePasses default
        $seen.VM | Should -Be 'rhel8-brainy-bear'
        $seen.Snapshot | Should -Be $result.SnapshotName
        $seen.Ready | Should -BeTrue   # the change starts only once the snapshot is ready to use
        $seen.Id | Should -Be 'CHG0001'

        $snapshot = Get-SafetySnapshot CHG0001
        @($snapshot).Count | Should -Be 1
        $snapshot.metadata.labels.'vmsnapshot.io/purpose' | Should -Be 'change-safety'
        $snapshot.metadata.annotations.'vmsnapshot.io/change-state' | Should -Be 'Succeeded'
        $expires = [datetimeoffset]::Parse($snapshot.metadata.annotations.'vmsnapshot.io/expires-at')
        ($expires - [datetimeoffset]::UtcNow).TotalDays | Should -BeGreaterThan 2.9

        # Nothing but the snapshot and what KubeVirt makes for it; the VM itself is only locked and unlocked.
        Assert-LabChangeSet -Since $mark -IgnoreStatus -Expected @(
            "Created VirtualMachineSnapshot vms/$($result.SnapshotName)"
            'Created VirtualMachineSnapshotContent vms/*'
            'Created VolumeSnapshot vms/*'
            'Created VolumeSnapshotContent snapcontent-*'
        ) | Out-Null
    }

    It 'deletes the safety snapshot at once with -RemoveSnapshotOnSuccess' {
        $result = Invoke-VMChange rhel8-brainy-bear -ChangeId CHG0002 -ScriptBlock { } -RemoveSnapshotOnSuccess @fast
        $result.Outcome | Should -Be 'Succeeded'
        $result.Steps[-1].Message | Should -BeLike "Deleted the safety snapshot*"
        $deadline = [datetime]::Now.AddSeconds(20)
        while ((Get-SafetySnapshot CHG0002) -and [datetime]::Now -lt $deadline) { Start-Sleep -Milliseconds 100 }
        Get-SafetySnapshot CHG0002 | Should -BeNullOrEmpty
    }

    It 'rolls back a change whose script fails: the VM spec and its disk come back, and it is healthy' {
        $vmPath = 'apis/kubevirt.io/v1/namespaces/vms/virtualmachines/rhel8-brainy-bear'
        $claim = (Get-KubeVirtVM rhel8-brainy-bear).Volumes | Where-Object SnapshotEnabled | Select-Object -First 1 -ExpandProperty ClaimName
        $claimPath = "api/v1/namespaces/vms/persistentvolumeclaims/$claim"
        Invoke-LabApi PATCH $claimPath '{"metadata":{"annotations":{"lab.vmsnapshot.io/files":"app.config,data.db"}}}' | Out-Null
        $before = Invoke-LabApi GET $vmPath
        $mark = Checkpoint-KubeVirtLab

        $result = Invoke-VMChange rhel8-brainy-bear -ChangeId CHG0003 -ScriptBlock {
            Invoke-LabApi PATCH $vmPath '{"spec":{"template":{"spec":{"domain":{"memory":{"guest":"64Gi"}}}}}}' | Out-Null
            Invoke-LabApi PATCH $claimPath '{"metadata":{"annotations":{"lab.vmsnapshot.io/files":"data.db"}}}' | Out-Null
            throw 'the installer failed'
        } @fast -ErrorVariable err -ErrorAction SilentlyContinue

        $result.Outcome | Should -Be 'RolledBack'
        $result.Steps.Name | Should -Be @('Snapshot', 'Change', 'Rollback', 'RollbackHealthGate')
        $result.Steps[1].Message | Should -Be 'the installer failed'
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'ChangeFailed,VmSnapshot.Commands.InvokeVMChangeCommand'
        $err[0].TargetObject.VMName | Should -Be 'rhel8-brainy-bear'

        $after = Invoke-LabApi GET $vmPath
        $after.spec.template.spec.domain.memory.guest | Should -Be $before.spec.template.spec.domain.memory.guest
        (Invoke-LabApi GET $claimPath).metadata.annotations.'lab.vmsnapshot.io/files' | Should -Be 'app.config,data.db'
        Test-VMHealth rhel8-brainy-bear -Quiet | Should -BeTrue
        (Get-SafetySnapshot CHG0003).metadata.annotations.'vmsnapshot.io/change-state' | Should -Be 'RolledBack'

        # The whole effect: the safety snapshot, the restore that replaced the VM's claim (and so its volume) and spec,
        # the restarted instance with its new virt-launcher pod, and nothing else (no other VM, claim, pod or snapshot
        # touched).
        Wait-LabVolumeGone $lab pvc-3f0a9c1e-1111-4a2b-9c3d-000000000003 | Should -BeTrue
        Assert-LabChangeSet -Since $mark -IgnoreStatus -Expected @(
            "Created VirtualMachineSnapshot vms/$($result.SnapshotName)"
            'Created VirtualMachineSnapshotContent vms/*'
            'Created VolumeSnapshot vms/*'
            'Created VolumeSnapshotContent snapcontent-*'
            'Created VirtualMachineRestore vms/rhel8-brainy-bear-restore-*'
            "Deleted PersistentVolumeClaim vms/$claim"
            "Created PersistentVolumeClaim vms/$claim"
            'Deleted PersistentVolume pvc-3f0a9c1e-1111-4a2b-9c3d-000000000003'
            'Created PersistentVolume pvc-*'
            'Updated DataVolume vms/rhel8-brainy-bear-rootdisk'
            'Updated VirtualMachine vms/rhel8-brainy-bear'
            'Deleted VirtualMachineInstance vms/rhel8-brainy-bear'
            'Created VirtualMachineInstance vms/rhel8-brainy-bear'
            'Deleted Pod vms/virt-launcher-rhel8-brainy-bear-*'
            'Created Pod vms/virt-launcher-rhel8-brainy-bear-*'
        ) | Out-Null
    }

    It 'fails a change on a non-zero $LASTEXITCODE' {
        $result = Invoke-VMChange rhel8-brainy-bear -ChangeId CHG0004 -ScriptBlock { $global:LASTEXITCODE = 3 } -OnFailure Keep @fast -ErrorAction SilentlyContinue
        $result.Outcome | Should -Be 'Failed'
        $result.Steps[1].Message | Should -BeLike '*$LASTEXITCODE 3*'
    }

    It 'rolls back when the health gate fails after the change (a guest that no longer boots ready)' {
        $result = Invoke-VMChange rhel8-brainy-bear -ChangeId CHG0005 -ScriptBlock { param($vm) Set-BrokenGuest $vm.Name -Reboot } @fast -ErrorAction SilentlyContinue
        $result.Outcome | Should -Be 'RolledBack'
        $result.Steps.Name | Should -Be @('Snapshot', 'Change', 'HealthGate', 'Rollback', 'RollbackHealthGate')
        $result.Steps[2].Result | Should -Be 'Failed'
        $result.Steps[2].Message | Should -BeLike '*ContainersNotReady*'
        ($result.HealthSamples | Where-Object { -not $_.Healthy }).Count | Should -BeGreaterThan 0
        $result.HealthSamples[-1].Healthy | Should -BeTrue
        (Invoke-LabApi GET 'apis/kubevirt.io/v1/namespaces/vms/virtualmachines/rhel8-brainy-bear').spec.template.metadata.annotations.'lab.vmsnapshot.io/guest-health' |
            Should -BeNullOrEmpty
    }

    It 'reports RollbackFailed, once, when the VM is not healthy after the rollback either' {
        Set-BrokenGuest rhel8-brainy-bear   # already in the spec the snapshot will hold; effective at the next boot
        $result = Invoke-VMChange rhel8-brainy-bear -ChangeId CHG0006 -ScriptBlock { param($vm)
            Invoke-LabApi PUT "apis/subresources.kubevirt.io/v1/namespaces/vms/virtualmachines/$($vm.Name)/restart" '{}' 'application/json' | Out-Null
        } @fast -ErrorVariable err -ErrorAction SilentlyContinue
        $result.Outcome | Should -Be 'RollbackFailed'
        $result.Steps.Name | Should -Be @('Snapshot', 'Change', 'HealthGate', 'Rollback', 'RollbackHealthGate')
        $result.Steps[-1].Result | Should -Be 'Failed'
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'RollbackFailed,VmSnapshot.Commands.InvokeVMChangeCommand'
        $err[0].Exception.Message | Should -Match 'The rollback failed too: (Not healthy|Healthy only) .+ within .+[^.]\. Safety snapshot '
        @((Invoke-LabApi GET 'apis/snapshot.kubevirt.io/v1beta1/namespaces/vms/virtualmachinerestores').items).Count | Should -Be 1   # never loops
    }

    It 'leaves the VM as the change left it with -OnFailure Keep, and keeps the snapshot' {
        # An update after which the guest does not boot: never Ready, no guest agent.
        $result = Invoke-VMChange rhel8-brainy-bear -ChangeId CHG0007 -ScriptBlock { param($vm) Set-BrokenGuest $vm.Name -Reboot -Health no-boot } -OnFailure Keep @fast -ErrorAction SilentlyContinue
        $result.Outcome | Should -Be 'Failed'
        $result.Steps.Name | Should -Be @('Snapshot', 'Change', 'HealthGate', 'Rollback')
        $result.Steps[-1].Result | Should -Be 'Skipped'
        (Invoke-LabApi GET 'apis/snapshot.kubevirt.io/v1beta1/namespaces/vms/virtualmachinerestores').items | Should -BeNullOrEmpty
        $health = Test-VMHealth rhel8-brainy-bear
        $health.Healthy | Should -BeFalse
        ($health.Checks | Where-Object Status -EQ 'Fail').Name | Sort-Object | Should -Be @('AgentConnected', 'Ready')
        (Get-SafetySnapshot CHG0007).metadata.annotations.'vmsnapshot.io/change-state' | Should -Be 'Failed'
    }

    It 'never lets a failed change''s safety snapshot expire, whatever -KeepSnapshotFor said' {
        # A nightly Remove-VMSnapshot -Expired must not take the rollback point of a VM left broken.
        $result = Invoke-VMChange rhel8-brainy-bear -ChangeId CHG0090 -KeepSnapshotFor 00:00:01 -ScriptBlock { throw 'patch failed' } -OnFailure Keep @fast -ErrorAction SilentlyContinue
        $result.Outcome | Should -Be 'Failed'
        Start-Sleep -Seconds 2
        (Get-SafetySnapshot CHG0090).metadata.annotations.'vmsnapshot.io/expires-at' | Should -Not -BeNullOrEmpty
        $safety = Get-VMSnapshot -Name $result.SnapshotName
        $safety.ExpiresAt | Should -BeNullOrEmpty
        Get-VMSnapshot -VMName rhel8-brainy-bear -Expired | Where-Object Name -EQ $result.SnapshotName | Should -BeNullOrEmpty
        $mark = Checkpoint-KubeVirtLab
        Remove-VMSnapshot -VMName rhel8-brainy-bear -Expired -Confirm:$false
        Get-KubeVirtLabChange -Since $mark | Should -BeNullOrEmpty
        Get-VMSnapshot -Name $result.SnapshotName | Should -Not -BeNullOrEmpty
    }

    It 'stops after a failed canary: the other VMs are not started and get no snapshot' {
        $results = Invoke-VMChange rhel8-brainy-bear, win2k19-profound-gecko, fedora-hotplug -ChangeId CHG0008 -Canary 1 -ScriptBlock {
            param($vm) if ($vm.Name -eq 'fedora-hotplug') { throw 'canary broke' }
        } @fast -WarningVariable warn -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $results.Count | Should -Be 3
        ($results | Where-Object VMName -EQ 'fedora-hotplug').Outcome | Should -Be 'RolledBack'   # the first listed is the canary
        ($results | Where-Object Outcome -EQ 'NotStarted').VMName | Sort-Object | Should -Be @('rhel8-brainy-bear', 'win2k19-profound-gecko')
        @(Get-SafetySnapshot CHG0008).Count | Should -Be 1
        $warn.Count | Should -Be 1
    }

    It 'starts no further VM after a failure with -StopOnFirstFailure' {
        $results = Invoke-VMChange fedora-hotplug, rhel8-brainy-bear, win2k19-profound-gecko -ChangeId CHG0015 -ThrottleLimit 1 -StopOnFirstFailure -OnFailure Keep -ScriptBlock {
            param($vm) if ($vm.Name -eq 'fedora-hotplug') { throw 'first one broke' }
        } @fast -ErrorAction SilentlyContinue
        ($results | Where-Object VMName -EQ 'fedora-hotplug').Outcome | Should -Be 'Failed'
        ($results | Where-Object Outcome -EQ 'NotStarted').VMName | Sort-Object | Should -Be @('rhel8-brainy-bear', 'win2k19-profound-gecko')
        @(Get-SafetySnapshot CHG0015).Count | Should -Be 1
    }

    It 'runs the pre-flight with -WhatIf, never the script, and changes nothing' {
        $mark = Checkpoint-KubeVirtLab
        $script:ran = $false
        Invoke-VMChange rhel8-brainy-bear, win2k19-profound-gecko -ChangeId CHG0009 -ScriptBlock { $script:ran = $true } -WhatIf 6>$null | Should -BeNullOrEmpty
        $script:ran | Should -BeFalse
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Out-Null
    }

    It 'refuses a VM whose safety snapshot would miss a disk, and one already in a change, changing nothing' {
        $partial = Test-GuestQuiesce | Where-Object Coverage -EQ 'Partial' | Select-Object -First 1
        $partial | Should -Not -BeNullOrEmpty
        Invoke-VMChange rhel8-brainy-bear -Phase Pre -ChangeId CHG0010 -Confirm:$false | Select-Object -ExpandProperty Outcome | Should -Be 'SnapshotTaken'

        $mark = Checkpoint-KubeVirtLab
        $script:ran = $false
        $results = Invoke-VMChange $partial.VMName, rhel8-brainy-bear -ChangeId CHG0011 -ScriptBlock { $script:ran = $true } @fast -ErrorVariable err -ErrorAction SilentlyContinue
        $results.Outcome | Should -Be @('Refused', 'Refused')
        $err.Count | Should -Be 2
        $err.FullyQualifiedErrorId | Sort-Object | Should -Be @('ChangeNotProtected,VmSnapshot.Commands.InvokeVMChangeCommand', 'VMInChange,VmSnapshot.Commands.InvokeVMChangeCommand')
        ($err | Where-Object FullyQualifiedErrorId -Like 'ChangeNotProtected*').Exception.Message | Should -Match "would not hold the data of '[^']+'"
        $script:ran | Should -BeFalse
        Assert-LabChangeSet -Since $mark -Expected @() | Out-Null
    }

    It 'refuses with -RequireQuiesce a VM whose guest cannot be frozen now' {
        $mark = Checkpoint-KubeVirtLab
        $result = Invoke-VMChange fedora-no-agent -ChangeId CHG0014 -RequireQuiesce -ScriptBlock { } @fast -ErrorVariable err -ErrorAction SilentlyContinue
        $result.Outcome | Should -Be 'Refused'
        $result.Error | Should -BeLike '*CrashConsistentOnly*'
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'QuiesceNotPossible,VmSnapshot.Commands.InvokeVMChangeCommand'
        Assert-LabChangeSet -Since $mark -Expected @() | Out-Null
    }

    It 'refuses a VM that is not healthy before the change, unless the failing check is left out' {
        $mark = Checkpoint-KubeVirtLab
        $results = Invoke-VMChange centos-stopped, fedora-no-agent -ChangeId CHG0016 -ScriptBlock { } @fast -ErrorVariable err -ErrorAction SilentlyContinue
        $results.Outcome | Should -Be @('Refused', 'Refused')
        $err.FullyQualifiedErrorId | Should -Be @('VMUnhealthyBeforeChange,VmSnapshot.Commands.InvokeVMChangeCommand', 'VMUnhealthyBeforeChange,VmSnapshot.Commands.InvokeVMChangeCommand')
        $results[0].Error | Should -BeLike "*centos-stopped*Running: The VM has no running instance*"
        Assert-LabChangeSet -Since $mark -Expected @() | Out-Null

        (Invoke-VMChange fedora-no-agent -ChangeId CHG0017 -SkipCheck AgentConnected -ScriptBlock { } @fast).Outcome | Should -Be 'Succeeded'
    }

    It 'splits a change into -Phase Pre and -Phase Post for Azure Update Manager' {
        $pre = Invoke-VMChange rhel8-brainy-bear -Phase Pre -ChangeId patch-run-17 -Confirm:$false
        $pre.Outcome | Should -Be 'SnapshotTaken'
        (Get-SafetySnapshot patch-run-17).metadata.annotations.'vmsnapshot.io/change-state' | Should -Be 'InProgress'

        Set-BrokenGuest rhel8-brainy-bear -Reboot   # the patching, done by Update Manager
        $post = Invoke-VMChange rhel8-brainy-bear -Phase Post -ChangeId patch-run-17 @fast -ErrorAction SilentlyContinue
        $post.Outcome | Should -Be 'RolledBack'
        $post.SnapshotName | Should -Be $pre.SnapshotName
        Test-VMHealth rhel8-brainy-bear -Quiet | Should -BeTrue

        Invoke-VMChange rhel8-brainy-bear -Phase Post -ChangeId no-such-run @fast -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'SafetySnapshotNotFound,VmSnapshot.Commands.InvokeVMChangeCommand'
    }

    It 'refuses a -ChangeId that cannot be a label value, a zero expiry and a missing log folder before anything is done' {
        $mark = Checkpoint-KubeVirtLab
        { Invoke-VMChange rhel8-brainy-bear -ChangeId 'CHG 42/x' -ScriptBlock { } -Confirm:$false } | Should -Throw -ErrorId 'InvalidChangeId,VmSnapshot.Commands.InvokeVMChangeCommand'
        { Invoke-VMChange rhel8-brainy-bear -KeepSnapshotFor '0d' -ScriptBlock { } -Confirm:$false } | Should -Throw -ErrorId 'InvalidExpiry,VmSnapshot.Commands.InvokeVMChangeCommand'
        { Invoke-VMChange rhel8-brainy-bear -LogPath /no/such/folder/x.json -ScriptBlock { } -Confirm:$false } | Should -Throw -ErrorId 'InvalidLogPath,VmSnapshot.Commands.InvokeVMChangeCommand'
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Out-Null
    }

    It 'writes the change record to -LogPath' {
        $log = Join-Path $TestDrive 'CHG0012.json'
        Invoke-VMChange rhel8-brainy-bear -ChangeId CHG0012 -ScriptBlock { } -LogPath $log @fast | Out-Null
        $record = Get-Content $log -Raw | ConvertFrom-Json
        $record.ChangeId | Should -Be 'CHG0012'
        $record.Succeeded | Should -Be 1
        $record.Results[0].Outcome | Should -Be 'Succeeded'
        $record.Results[0].Steps.Name | Should -Be @('Snapshot', 'Change', 'HealthGate', 'Cleanup')
    }
}

Describe 'Invoke-VMChange when stopped (Ctrl+C)' {
    BeforeAll { $lab = Start-KubeVirtLab -Name 'change-stop' -ClockSpeed 100 }
    AfterAll { $lab | Stop-KubeVirtLab -Confirm:$false }

    It 'records where it stopped, keeps the snapshot marked Stopped and still writes the log' {
        $log = Join-Path $TestDrive 'stopped.json'
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
            param($module, $kubeconfig, $log)
            Import-Module $module
            Connect-KubeVirt -Kubeconfig $kubeconfig | Out-Null
            Invoke-VMChange rhel8-brainy-bear -ChangeId CHG0013 -ScriptBlock { Start-Sleep -Seconds 30 } -LogPath $log -Confirm:$false
        }).AddArgument($ModuleManifest).AddArgument($lab.KubeconfigPath).AddArgument($log)
        $run = $ps.BeginInvoke()
        $token = [System.Net.NetworkCredential]::new('', $lab.GetToken()).Password
        $list = "$($lab.Server)apis/snapshot.kubevirt.io/v1beta1/namespaces/vms/virtualmachinesnapshots?labelSelector=vmsnapshot.io/change-id=CHG0013"
        $deadline = [datetime]::Now.AddSeconds(30)
        do { Start-Sleep -Milliseconds 200; $snap = (Invoke-RestMethod $list -Headers @{ Authorization = "Bearer $token" }).items }
        until (($snap -and $snap[0].status.readyToUse) -or [datetime]::Now -gt $deadline)
        Start-Sleep -Milliseconds 500   # into the script block's sleep
        $ps.Stop()
        $ps.Dispose()

        $record = Get-Content $log -Raw | ConvertFrom-Json
        $record.Results[0].Outcome | Should -Be 'Failed'
        $record.Results[0].Error | Should -BeLike 'Stopped by the user during Change*'
        $snap = (Invoke-RestMethod $list -Headers @{ Authorization = "Bearer $token" }).items
        $snap[0].metadata.annotations.'vmsnapshot.io/change-state' | Should -Be 'Stopped'
    }
}

Describe 'Invoke-VMChange on many VMs' {
    BeforeAll { $lab = Start-KubeVirtLab -Name 'change-many' -Scenario 'scale:1x20' -ClockSpeed 100 -Connect }
    AfterAll { $lab | Stop-KubeVirtLab -Confirm:$false; Disconnect-KubeVirt }

    It 'changes 20 VMs with -ThrottleLimit 10, each with its own snapshot and health gate' {
        $results = Get-KubeVirtVM -Namespace scale-001 | Invoke-VMChange -ChangeId CHG0020 -ThrottleLimit 10 -ScriptBlock { } @fast
        $results.Count | Should -Be 20
        @($results | Where-Object Outcome -NE 'Succeeded').Count | Should -Be 0
        ($results.SnapshotName | Sort-Object -Unique).Count | Should -Be 20
        @((Invoke-LabApi GET 'apis/snapshot.kubevirt.io/v1beta1/namespaces/scale-001/virtualmachinesnapshots?labelSelector=vmsnapshot.io/change-id=CHG0020').items).Count | Should -Be 20
    }
}

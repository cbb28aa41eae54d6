# Test-GuestQuiesce against the lab: every verdict on the default scenario's VMs, then a scenario of its own for
# what the default one does not hold (flapping agent, freeze commands blocked, a failing fsfreeze hook, hot-plug,
# a VM with no captured disk, the feature gate off, a user with few rights) and the -Trial guarantees.
BeforeAll {
    . "$PSScriptRoot/common.ps1"
    Import-Module $ModuleManifest -Force

    function Get-Check {
        # The one check of that name (and target) of a readiness object.
        param([Parameter(Mandatory)] $Readiness, [Parameter(Mandatory)] [string] $Name, [string] $Target)
        $found = @($Readiness.Checks | Where-Object { $_.Name -eq $Name -and (-not $Target -or $_.Target -eq $Target) })
        $found.Count | Should -Be 1 -Because "$($Readiness.VMName) should have exactly one $Name check"
        $found[0]
    }

    function Get-FreezeStatus {
        # The VMI's status.fsFreezeStatus, read straight from the lab's API ("" when thawed).
        param([Parameter(Mandatory)] $Lab, [Parameter(Mandatory)] [string] $Namespace, [Parameter(Mandatory)] [string] $Name)
        $token = [System.Net.NetworkCredential]::new('', $Lab.GetToken()).Password
        $vmi = Invoke-RestMethod -Uri "$($Lab.Server.ToString().TrimEnd('/'))/apis/kubevirt.io/v1/namespaces/$Namespace/virtualmachineinstances/$Name" `
            -Headers @{ Authorization = "Bearer $token" }
        [string] $vmi.status.fsFreezeStatus
    }

    function Wait-Until {
        param([Parameter(Mandatory)] [scriptblock] $Condition, [Parameter(Mandatory)] [string] $Because, [int] $Seconds = 30)
        $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
        while (-not (& $Condition)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out after $Seconds s waiting until $Because." }
            Start-Sleep -Milliseconds 100
        }
    }

    function New-QuiesceScenario {
        <# Namespace qa: VMs the controllers boot, each with the guest agent behaviour a test needs. #>
        param([string] $Gates = 'featureGates: [Snapshot]', [double] $ClockSpeed = 1)
        $vms = 'rhel01', 'flap01', 'nofreeze01', 'hookfail01', 'win01', 'nfs01'
        $documents = @(
            @"
apiVersion: lab.vmsnapshot.io/v1
kind: LabSettings
namespace: qa
clockSpeed: $ClockSpeed
timings: {vmStart: 1s, vmStop: 1s}
guestAgents:
  rhel01: {os: rhel, version: "8.2.0"}
  flap01: {os: rhel, flapInterval: 1500ms}
  nofreeze01: {os: rhel, disabledCommands: [guest-fsfreeze-freeze, guest-fsfreeze-thaw]}
  hookfail01: {os: rhel, freezeError: "fsfreeze hook has failed with status 1"}
  win01: {os: mswindows, version: "107.0.1", freezeLatency: 500ms}
  nfs01: {os: rhel}
  hotplug01: {os: fedora}
users:
- name: quiesce-reader
  token: reader-token
  rules:
  - apiGroups: [kubevirt.io]
    resources: [virtualmachines, virtualmachineinstances]
    verbs: [get, list, watch]
  - apiGroups: [snapshot.kubevirt.io]
    resources: [virtualmachinesnapshots]
    verbs: [get, list, watch]
  - apiGroups: [subresources.kubevirt.io]
    resources: [virtualmachineinstances/guestosinfo]
    verbs: [get]
"@
            @"
apiVersion: kubevirt.io/v1
kind: KubeVirt
metadata: {name: kubevirt, namespace: kubevirt}
spec:
  configuration:
    developerConfiguration:
      $Gates
status: {phase: Deployed, observedKubeVirtVersion: v1.9.0}
"@
            'apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: csi.fast.example
volumeBindingMode: Immediate'
            'apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: nfs-csi}
provisioner: nfs.csi.k8s.io
volumeBindingMode: Immediate'
            'apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshotClass
metadata: {name: fast-snap}
driver: csi.fast.example
deletionPolicy: Delete'
        )
        $claims = @($vms | ForEach-Object { "$_-root" }) + 'hotplug01-root', 'hotplug01-data', 'hotplug01-scratch'
        foreach ($claim in $claims) {
            $class = if ($claim -like 'nfs01-*') { 'nfs-csi' } else { 'fast' }
            $documents += @"
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: $claim, namespace: qa}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 10Gi}}
  storageClassName: $class
  volumeMode: Filesystem
  volumeName: pv-$claim
status: {phase: Bound, accessModes: [ReadWriteOnce], capacity: {storage: 10Gi}}
"@
        }
        foreach ($vm in $vms) {
            $documents += @"
apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: $vm, namespace: qa}
spec:
  runStrategy: Always
  template:
    spec:
      domain:
        devices:
          disks: [{name: rootdisk, disk: {bus: virtio}}, {name: cloudinitdisk, disk: {bus: virtio}}]
        resources: {requests: {memory: 1Gi}}
      volumes:
      - {name: rootdisk, persistentVolumeClaim: {claimName: $vm-root}}
      - {name: cloudinitdisk, cloudInitNoCloud: {userData: "#cloud-config"}}
"@
        }
        # A running VM whose instance has one volume hot-plugged and persisted (data) and one only hot-plugged into
        # the instance (scratch): seeded with its instance, as KubeVirt would show it.
        $documents += @'
apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: hotplug01, namespace: qa, uid: 0e5c7a10-0000-4000-8000-000000000101}
spec:
  runStrategy: Always
  template:
    spec:
      domain:
        devices:
          disks: [{name: rootdisk, disk: {bus: virtio}}, {name: data, disk: {bus: scsi}}]
      volumes:
      - {name: rootdisk, persistentVolumeClaim: {claimName: hotplug01-root}}
      - {name: data, persistentVolumeClaim: {claimName: hotplug01-data, hotpluggable: true}}
status: {printableStatus: Running, created: true, ready: true}
'@
        $documents += @'
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata:
  name: hotplug01
  namespace: qa
  uid: 0e5c7a10-0000-4000-8000-000000000102
  creationTimestamp: '2026-11-01T08:00:00Z'
  ownerReferences:
  - {apiVersion: kubevirt.io/v1, kind: VirtualMachine, name: hotplug01, uid: 0e5c7a10-0000-4000-8000-000000000101, controller: true, blockOwnerDeletion: true}
spec:
  domain:
    devices:
      disks: [{name: rootdisk, disk: {bus: virtio}}, {name: data, disk: {bus: scsi}}, {name: scratch, disk: {bus: scsi}}]
  volumes:
  - {name: rootdisk, persistentVolumeClaim: {claimName: hotplug01-root}}
  - {name: data, persistentVolumeClaim: {claimName: hotplug01-data, hotpluggable: true}}
  - {name: scratch, persistentVolumeClaim: {claimName: hotplug01-scratch, hotpluggable: true}}
status:
  phase: Running
  phaseTransitionTimestamps: [{phase: Running, phaseTransitionTimestamp: '2026-11-01T08:00:30Z'}]
  conditions:
  - {type: Ready, status: 'True'}
  - {type: AgentConnected, status: 'True'}
  guestOSInfo: {id: fedora, name: Fedora Linux, prettyName: Fedora Linux 40}
  volumeStatus:
  - {name: rootdisk, target: vda}
  - {name: data, target: sda, hotplugVolume: {attachPodName: hp-volume-data, attachPodUID: 7a1c0000-0000-4000-8000-000000000201}}
  - {name: scratch, target: sdb, hotplugVolume: {attachPodName: hp-volume-scratch, attachPodUID: 7a1c0000-0000-4000-8000-000000000202}}
'@
        New-ScenarioFile -Document $documents
    }

    function Start-QuiesceLab {
        # A lab on the qa scenario, connected, with every VM running and its agent settled.
        param([Parameter(Mandatory)] [string] $Name, [string] $Gates = 'featureGates: [Snapshot]', [double] $ClockSpeed = 1)
        $lab = Start-KubeVirtLab -Scenario (New-QuiesceScenario -Gates $Gates -ClockSpeed $ClockSpeed) -Name $Name -Connect
        Wait-Until -Because 'every qa VM runs' -Condition {
            $vms = @(Get-KubeVirtVM)
            $vms.Count -eq 7 -and -not ($vms | Where-Object Status -ne 'Running')
        }
        Wait-Until -Because 'the guest agents of rhel01 and win01 are connected' -Condition {
            @(Get-KubeVirtVM -Name rhel01, win01 | Where-Object GuestAgent).Count -eq 2
        }
        $lab
    }
}

Describe 'Test-GuestQuiesce on the default scenario' {
    BeforeAll {
        $lab = Start-KubeVirtLab -Name 'quiesce-default' -Connect
        $all = @(Test-GuestQuiesce)
        $byName = @{}
        $all | ForEach-Object { $byName[$_.VMName] = $_ }
    }

    AfterAll {
        $lab | Stop-KubeVirtLab -Confirm:$false
        Disconnect-KubeVirt
    }

    It 'checks every VM of the namespace, as typed objects' {
        $all.Count | Should -Be @(Get-KubeVirtVM).Count
        $all | ForEach-Object { $_ | Should -BeOfType ([VmSnapshot.QuiesceReadiness]) }
        $all.Namespace | Sort-Object -Unique | Should -Be 'vms'
        $all | ForEach-Object { $_.Checks.Count | Should -BeGreaterThan 3 }
    }

    It 'finds the Windows guest application-consistent, with the VSS window and the manual VSS checks' {
        $windows = $byName['win2k19-profound-gecko']
        $windows.Verdict | Should -Be 'ApplicationConsistent'
        $windows.IsWindows | Should -BeTrue
        $windows.GuestOS | Should -Be 'mswindows'
        $windows.AgentVersion | Should -Be '107.0.1'
        (Get-Check $windows WindowsVssHoldLimit).Status | Should -Be 'Warn'
        (Get-Check $windows WindowsVssHoldLimit).Message | Should -BeLike '*10 seconds*QuiesceTimeout*'
        (Get-Check $windows SqlServerVssBackupType).Status | Should -Be 'Manual'
        (Get-Check $windows VssProviderService).Status | Should -Be 'Manual'
        $windows.Summary | Should -Be (Get-Check $windows WindowsVssHoldLimit).Message
        $windows.Checks.Name | Should -Not -Contain 'FsfreezeHookScripts'
    }

    It 'finds the RHEL guest application-consistent and lists the hook checks as manual, never passed' {
        $rhel = $byName['rhel8-brainy-bear']
        $rhel.Verdict | Should -Be 'ApplicationConsistent'
        $rhel.FreezeCommandsEnabled | Should -BeTrue
        (Get-Check $rhel FreezeCommands).Status | Should -Be 'Pass'
        (Get-Check $rhel AgentConnected).Message | Should -BeLike '*3 of 3 samples*'
        (Get-Check $rhel FsfreezeHookScripts).Status | Should -Be 'Manual'
        (Get-Check $rhel FsfreezeHookSamplesOnly).Status | Should -Be 'Manual'
        (Get-Check $rhel SnapshotFeatureGate).Status | Should -Be 'Pass'
        (Get-Check $rhel CanCreateSnapshot).Status | Should -Be 'Pass'
        (Get-Check $rhel Volume -Target cloudinitdisk).Status | Should -Be 'Pass'
    }

    It 'finds the VM without an agent crash-consistent and says to install one' {
        $fedora = $byName['fedora-no-agent']
        $fedora.Verdict | Should -Be 'CrashConsistentOnly'
        $fedora.AgentConnected | Should -BeFalse
        (Get-Check $fedora AgentConnected).Status | Should -Be 'Fail'
        $fedora.Summary | Should -BeLike '*not connected*qemu-guest-agent*'
        # Its newest snapshot says the same, in the cluster's indications.
        (Get-Check $fedora LastSnapshot).Message | Should -BeLike '*NoGuestAgent*'
    }

    It 'names the NFS disk a snapshot would not capture, with the cluster''s reason, and calls the VM Partial' {
        $db = $byName['db-nfs-data']
        $data = Get-Check $db Volume -Target data
        $data.Status | Should -Be 'Fail'
        $data.Message | Should -BeLike "*No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass ``[nfs-csi``]*"
        $db.NotCapturedVolumes | Should -Be @('data')
        $db.FailCount | Should -Be 1
        $db.Summary | Should -Be $data.Message
        (Get-Check $db Volume -Target rootdisk).Status | Should -Be 'Pass'
        # The agent and its freeze are fine, but a snapshot would miss the data disk: never "fully protected".
        $db.AgentConnected | Should -BeTrue
        $db.Verdict | Should -Be 'Partial'
        $db.Coverage | Should -Be 'Partial'
        $db.IsApplicationConsistent | Should -BeFalse
    }

    It 'answers -Quiet $false for a VM whose data disk would not be captured, and $true only with -AllowPartial' {
        $quiet = @(Test-GuestQuiesce db-nfs-data -Quiet)
        $quiet.Count | Should -Be 1
        $quiet[0] | Should -BeOfType ([bool])
        $quiet[0] | Should -BeFalse

        $accepted = Test-GuestQuiesce db-nfs-data -AllowPartial
        $accepted.Verdict | Should -Be 'ApplicationConsistent'
        $accepted.Coverage | Should -Be 'Partial'
        $accepted.Summary | Should -BeLike "Volume 'data'*NOT captured*"
        Test-GuestQuiesce db-nfs-data -Quiet -AllowPartial | Should -BeTrue

        # -AllowPartial changes nothing for a VM that holds every disk, nor for one without an agent.
        (Test-GuestQuiesce rhel8-brainy-bear -AllowPartial).Coverage | Should -Be 'AllDisks'
        Test-GuestQuiesce fedora-no-agent -Quiet -AllowPartial | Should -BeFalse
    }

    It 'finds the paused VM crash-consistent and the stopped VM consistent offline' {
        $paused = $byName['app-paused']
        $paused.Verdict | Should -Be 'CrashConsistentOnly'
        $paused.State | Should -Be 'Paused'
        (Get-Check $paused VMState).Status | Should -Be 'Warn'

        $stopped = $byName['centos-stopped']
        $stopped.Verdict | Should -Be 'ApplicationConsistent'
        (Get-Check $stopped VMState).Status | Should -Be 'Pass'
        (Get-Check $stopped VMState).Message | Should -BeLike '*offline*'
        $stopped.Checks.Name | Should -Not -Contain 'AgentConnected'
    }

    It 'tells the persisted hot-plug disk from the one plugged into the running instance only' {
        $persisted = $byName['fedora-hotplug']
        $persisted.Verdict | Should -Be 'ApplicationConsistent'
        (Get-Check $persisted HotplugVolume).Status | Should -Be 'Pass'
        $persisted.NotCapturedVolumes | Should -BeNullOrEmpty

        $instanceOnly = $byName['fedora-vmi-hotplug']
        $hotplug = Get-Check $instanceOnly HotplugVolume
        $hotplug.Status | Should -Be 'Fail'
        $hotplug.Message | Should -BeLike "Volume '$($hotplug.Target)' was hot-plugged into the running instance only*"
        $instanceOnly.NotCapturedVolumes | Should -Be @($hotplug.Target)
        $instanceOnly.Summary | Should -Be $hotplug.Message
        $instanceOnly.Verdict | Should -Be 'Partial'
        $instanceOnly.Coverage | Should -Be 'Partial'
        $persisted.Coverage | Should -Be 'AllDisks'
    }

    It 'returns only booleans with -Quiet, for if statements' {
        $quiet = Test-GuestQuiesce rhel8-brainy-bear, fedora-no-agent -Quiet
        $quiet | ForEach-Object { $_ | Should -BeOfType ([bool]) }
        $quiet | Should -Be @($false, $true) -Because 'VMs come in the order the namespace lists them'
        if (Test-GuestQuiesce rhel8-brainy-bear -Quiet) { $decided = 'snapshot' } else { $decided = 'stop' }
        $decided | Should -Be 'snapshot'
    }

    It 'takes VMs from Get-KubeVirtVM and names from the pipeline' {
        $piped = @(Get-KubeVirtVM -Name 'rhel8*', 'win2k19*' | Test-GuestQuiesce)
        $piped.VMName | Sort-Object | Should -Be @('rhel8-brainy-bear', 'win2k19-profound-gecko')
        @('centos-stopped' | Test-GuestQuiesce).VMName | Should -Be 'centos-stopped'
        @(Test-GuestQuiesce -AllNamespaces -VMName 'centos-*').Namespace | Should -Be 'vms'
    }

    It 'reports a missing VM and conflicting parameters as errors with stable ids' {
        $result = Test-GuestQuiesce no-such-vm -ErrorVariable err -ErrorAction SilentlyContinue
        $result | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'VMNotFound,VmSnapshot.Commands.TestGuestQuiesceCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 'no-such-vm'

        Test-GuestQuiesce -Namespace vmz -ErrorVariable nsErr -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        @($nsErr.FullyQualifiedErrorId) | Should -Be @('NamespaceNotFound,VmSnapshot.Commands.TestGuestQuiesceCommand')

        { Test-GuestQuiesce -TrialHold 00:00:05 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidTrialHold,VmSnapshot.Commands.TestGuestQuiesceCommand'
        { Test-GuestQuiesce -Trial -TrialHold 01:00:00 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidTrialHold,VmSnapshot.Commands.TestGuestQuiesceCommand'
        { Test-GuestQuiesce -AllNamespaces -Namespace vms -ErrorAction Stop } |
            Should -Throw -ErrorId 'NamespaceAndAllNamespaces,VmSnapshot.Commands.TestGuestQuiesceCommand'
    }

    It 'shows one line per VM grouped by namespace, and the checks with their messages' {
        $table = $all | Format-Table | Out-String -Width 220
        $table | Should -Match 'Namespace: vms'
        $table | Should -Match 'VMName\s+Verdict\s+Coverage\s+State\s+Agent\s+Fail\s+Warn\s+Summary'
        $table | Should -Match 'fedora-no-agent\s+CrashConsistentOnly\s+AllDisks\s+Running\s+False\s+1\s'
        $table | Should -Match 'db-nfs-data\s+Partial\s+Partial\s+Running\s+True\s+1\s'
        $checks = $byName['db-nfs-data'].Checks | Format-Table | Out-String -Width 200
        $checks | Should -Match 'Fail\s+Volume\s+data\s+Volume ''data'''
        ($byName['rhel8-brainy-bear'] | Format-List | Out-String -Width 200) | Should -Match 'Manual FsfreezeHookScripts: '
    }

    It 'proves the quiesce with -Trial on the Windows guest and leaves it thawed' {
        $windows = Test-GuestQuiesce win2k19-profound-gecko -Trial -Confirm:$false
        $trial = Get-Check $windows TrialFreeze
        $trial.Status | Should -Be 'Pass'
        # The lab's Windows agent takes 2 s to freeze (VSS writers).
        $windows.TrialFreezeDuration | Should -BeGreaterThan ([timespan]::FromSeconds(1.5))
        $windows.Verdict | Should -Be 'ApplicationConsistent'
        Get-FreezeStatus $lab vms win2k19-profound-gecko | Should -BeNullOrEmpty
    }

    It 'skips -Trial for a stopped or agentless VM with a clear message, and -WhatIf freezes nothing' {
        $skipped = Test-GuestQuiesce fedora-no-agent, centos-stopped -Trial -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings.Count | Should -Be 2
        ($warnings.Message -join "`n") | Should -BeLike '*fedora-no-agent*not connected*'
        ($warnings.Message -join "`n") | Should -BeLike '*centos-stopped*stopped*'
        $skipped | ForEach-Object { (Get-Check $_ TrialFreeze).Status | Should -Be 'Warn' }

        $whatIf = Test-GuestQuiesce rhel8-brainy-bear -Trial -WhatIf
        $whatIf.Checks.Name | Should -Not -Contain 'TrialFreeze'
        $whatIf.Verdict | Should -Be 'ApplicationConsistent'
    }
}

Describe 'Test-GuestQuiesce -Trial and the cluster''s state' {
    # Each test has its own lab: a trial's freeze is state, and the change sets must not see another test's work.
    BeforeEach {
        $lab = Start-KubeVirtLab -Name 'quiesce-changes' -Connect
    }

    AfterEach {
        $lab | Stop-KubeVirtLab -Confirm:$false
        Disconnect-KubeVirt
    }

    It 'freezes and thaws for real and leaves every object as it was' {
        $mark = Checkpoint-KubeVirtLab
        $rhel = Test-GuestQuiesce rhel8-brainy-bear -Trial -Confirm:$false
        (Get-Check $rhel TrialFreeze).Status | Should -Be 'Pass'
        $rhel.TrialFreezeDuration | Should -Not -BeNullOrEmpty
        Get-FreezeStatus $lab vms rhel8-brainy-bear | Should -BeNullOrEmpty
        # Frozen and thawed again: nothing is created, changed or deleted, not even an Event.
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Should -BeNullOrEmpty
    }

    It 'freezes nothing and changes nothing with -WhatIf' {
        $mark = Checkpoint-KubeVirtLab
        $elapsed = Measure-Command {
            $whatIf = Test-GuestQuiesce rhel8-brainy-bear -Trial -TrialHold 00:00:20 -WhatIf 6>$null
        }
        $whatIf.Checks.Name | Should -Not -Contain 'TrialFreeze'
        $whatIf.TrialFreezeDuration | Should -BeNullOrEmpty
        # A real trial would have held the guest frozen for 20 seconds.
        $elapsed | Should -BeLessThan ([timespan]::FromSeconds(15))
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Should -BeNullOrEmpty
    }

    It 'asks before freezing with -Confirm: a host that cannot answer stops it before any freeze' {
        $mark = Checkpoint-KubeVirtLab
        # A runspace without a user interface: ShouldProcess's prompt cannot be shown, so it fails instead of freezing.
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript({
                param($manifest, $kubeconfig)
                Import-Module $manifest
                Connect-KubeVirt -Kubeconfig $kubeconfig
                Test-GuestQuiesce rhel8-brainy-bear -Trial -TrialHold 00:00:20 -Confirm
            }).AddArgument($ModuleManifest).AddArgument($lab.KubeconfigPath)
            $output = $shell.Invoke()
            $output | Should -BeNullOrEmpty
            $shell.Streams.Error.Count | Should -Be 1
            $shell.Streams.Error[0].FullyQualifiedErrorId | Should -Be 'HostFunctionNotImplemented,VmSnapshot.Commands.TestGuestQuiesceCommand'
        }
        finally {
            $shell.Dispose()
        }
        Get-FreezeStatus $lab vms rhel8-brainy-bear | Should -BeNullOrEmpty
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Should -BeNullOrEmpty
    }
}

Describe 'Test-GuestQuiesce on agents that misbehave' {
    BeforeAll {
        $lab = Start-QuiesceLab -Name 'quiesce-agents'
        $qa = @(Test-GuestQuiesce)
        $byName = @{}
        $qa | ForEach-Object { $byName[$_.VMName] = $_ }
    }

    AfterAll {
        $lab | Stop-KubeVirtLab -Confirm:$false
        Disconnect-KubeVirt
    }

    It 'sees a flapping agent in its samples and does not trust it' {
        $flap = $byName['flap01']
        $agent = Get-Check $flap AgentConnected
        $agent.Status | Should -Be 'Warn'
        $agent.Message | Should -Match 'flaps: AgentConnected was present in [12] of 3 samples'
        $flap.Verdict | Should -Be 'CrashConsistentOnly'
        $flap.AgentConnected | Should -BeFalse
    }

    It 'fails a guest whose freeze commands are blocked' {
        $blocked = $byName['nofreeze01']
        $freeze = Get-Check $blocked FreezeCommands
        $freeze.Status | Should -Be 'Fail'
        $freeze.Message | Should -BeLike '*guest-fsfreeze-freeze, guest-fsfreeze-thaw*'
        $blocked.FreezeCommandsEnabled | Should -BeFalse
        $blocked.Verdict | Should -Be 'CrashConsistentOnly'
        $blocked.Summary | Should -Be $freeze.Message
    }

    It 'warns that a guest booted minutes ago may not have its agent and VSS ready' {
        $boot = Get-Check $byName['win01'] AgentReadyAfterBoot
        $boot.Status | Should -Be 'Warn'
        $boot.Message | Should -BeLike '*agent and VSS are often not ready*'
        (Get-Check $byName['hotplug01'] AgentReadyAfterBoot).Status | Should -Be 'Pass'
    }

    It 'tells a persisted hot-plug volume from one only plugged into the running instance' {
        $hotplug = $byName['hotplug01']
        (Get-Check $hotplug HotplugVolume -Target data).Status | Should -Be 'Pass'
        $scratch = Get-Check $hotplug HotplugVolume -Target scratch
        $scratch.Status | Should -Be 'Fail'
        $scratch.Message | Should -BeLike '*not persisted in the VM spec*does not capture it*'
        (Get-Check $hotplug Volume -Target data).Status | Should -Be 'Pass'
        $hotplug.NotCapturedVolumes | Should -Be @('scratch')
    }

    It 'calls a VM whose only disk is not captured config-only' {
        $nfs = $byName['nfs01']
        $nfs.Verdict | Should -Be 'ConfigOnly'
        $nfs.Summary | Should -BeLike '*No disk of this VM would be captured*'
        (Get-Check $nfs Volume -Target rootdisk).Message | Should -BeLike '*No VolumeSnapshotClass*nfs-csi*'
    }

    It 'reports a failing fsfreeze hook verbatim from -Trial, and the guest ends thawed' {
        $hook = Test-GuestQuiesce hookfail01 -Trial -Confirm:$false
        $trial = Get-Check $hook TrialFreeze
        $trial.Status | Should -Be 'Fail'
        $trial.Message | Should -BeLike '*fsfreeze hook has failed with status 1*qga-fsfreeze-hook.log*'
        $hook.Verdict | Should -Be 'CrashConsistentOnly'
        $hook.TrialFreezeDuration | Should -BeNullOrEmpty
        Get-FreezeStatus $lab qa hookfail01 | Should -BeNullOrEmpty
    }

    It 'thaws after a successful -Trial and measures the freeze' {
        $rhel = Test-GuestQuiesce rhel01 -Trial -Confirm:$false
        (Get-Check $rhel TrialFreeze).Status | Should -Be 'Pass'
        $rhel.TrialFreezeDuration | Should -Not -BeNullOrEmpty
        $rhel.Verdict | Should -Be 'ApplicationConsistent'
        Get-FreezeStatus $lab qa rhel01 | Should -BeNullOrEmpty
    }

    It 'thaws when the command is stopped (Ctrl+C) while the guest is frozen' {
        $connection = Connect-KubeVirt -Kubeconfig $lab.KubeconfigPath -Context $lab.Context -PassThru
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddCommand('Import-Module').AddParameter('Name', $ModuleManifest).AddStatement()
            $null = $shell.AddCommand('Test-GuestQuiesce').AddParameter('VMName', 'rhel01').AddParameter('Trial').
                AddParameter('TrialHold', [timespan]::FromMinutes(2)).AddParameter('Confirm', $false).
                AddParameter('Connection', $connection)
            $async = $shell.BeginInvoke()
            Wait-Until -Because 'the trial froze rhel01' -Condition {
                if ($shell.InvocationStateInfo.State -in 'Completed', 'Failed') {
                    throw "The trial ended before the test could stop it: $($shell.Streams.Error | Out-String) $($shell.InvocationStateInfo.Reason)"
                }
                (Get-FreezeStatus $lab qa rhel01) -eq 'frozen'
            }
            $stopped = [Diagnostics.Stopwatch]::StartNew()
            $shell.Stop()
            $stopped.Stop()
            # Nothing but the command's own thaw can have thawed it: the cluster's unfreezeTimeout is 2.5 minutes away.
            Get-FreezeStatus $lab qa rhel01 | Should -BeNullOrEmpty
            $stopped.Elapsed | Should -BeLessThan ([timespan]::FromSeconds(25))
            $shell.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally {
            $shell.Dispose()
        }
    }
}

Describe 'Test-GuestQuiesce when the session dies mid-trial' {
    BeforeAll {
        # Lab time runs 20x: the trial's unfreezeTimeout (hold + 30 s) passes in a twentieth of the wall time.
        $lab = Start-QuiesceLab -Name 'quiesce-kill' -ClockSpeed 20
    }

    AfterAll {
        $lab | Stop-KubeVirtLab -Confirm:$false
        Disconnect-KubeVirt
    }

    It 'leaves the thaw to the cluster''s unfreezeTimeout when the process is killed' {
        $script = @"
Import-Module '$ModuleManifest'
Connect-KubeVirt -Kubeconfig '$($lab.KubeconfigPath)' -Context '$($lab.Context)'
Test-GuestQuiesce rhel01 -Trial -TrialHold 00:05:00 -Confirm:`$false
"@
        $pwsh = Get-PwshCommand
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script))
        $child = Start-Process -FilePath $pwsh[0] -PassThru -RedirectStandardOutput (Join-Path $TestDrive 'child.out') `
            -RedirectStandardError (Join-Path $TestDrive 'child.err') `
            -ArgumentList (@($pwsh | Select-Object -Skip 1) + '-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)
        try {
            Wait-Until -Seconds 60 -Because 'the child froze rhel01' -Condition {
                if ($child.HasExited) { throw "The child pwsh exited early: $(Get-Content (Join-Path $TestDrive 'child.err') -Raw)" }
                (Get-FreezeStatus $lab qa rhel01) -eq 'frozen'
            }
            $child.Kill($true)
            $child.WaitForExit()
            # Killed long before its 5-minute hold ended, the child could not thaw...
            Get-FreezeStatus $lab qa rhel01 | Should -Be 'frozen'
            # ...the cluster does, once the freeze's unfreezeTimeout (5 min 30 s of lab time, 16.5 s of wall time) passes.
            Wait-Until -Seconds 90 -Because 'the lab auto-thawed rhel01' -Condition { -not (Get-FreezeStatus $lab qa rhel01) }
        }
        finally {
            if (-not $child.HasExited) { $child.Kill($true) }
        }
    }
}

Describe 'Test-GuestQuiesce when snapshots are not possible' {
    AfterEach {
        $lab | Stop-KubeVirtLab -Confirm:$false
        Disconnect-KubeVirt
    }

    It 'is Blocked when the Snapshot feature gate is disabled' {
        $lab = Start-QuiesceLab -Name 'quiesce-gate' -Gates 'disabledFeatureGates: [Snapshot]'
        $rhel = Test-GuestQuiesce rhel01
        $rhel.Verdict | Should -Be 'Blocked'
        (Get-Check $rhel SnapshotFeatureGate).Status | Should -Be 'Fail'
        $rhel.Summary | Should -BeLike '*feature gate is off*disabledFeatureGates*'
        Test-GuestQuiesce rhel01 -Quiet | Should -BeFalse
    }

    It 'is Blocked for a user who may not create snapshots, and says what it could not check' {
        $lab = Start-QuiesceLab -Name 'quiesce-rbac'
        $reader = Connect-KubeVirt -Server $lab.Server -Token (ConvertTo-SecureString 'reader-token' -AsPlainText) -Namespace qa -PassThru
        $rhel = Test-GuestQuiesce rhel01 -Connection $reader -Trial -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue
        $rhel.Verdict | Should -Be 'Blocked'
        (Get-Check $rhel CanCreateSnapshot).Status | Should -Be 'Fail'
        (Get-Check $rhel CanCreateSnapshot).Message | Should -BeLike "*may not create VirtualMachineSnapshots in namespace 'qa'*"
        # It may not read the KubeVirt CR: unknown, so Manual, never Pass.
        (Get-Check $rhel SnapshotFeatureGate).Status | Should -Be 'Manual'
        (Get-Check $rhel CanFreeze).Status | Should -Be 'Warn'
        (Get-Check $rhel TrialFreeze).Message | Should -BeLike '*may not freeze*'
        $warnings.Count | Should -Be 1
        # What it may read still works: the agent and its freeze commands.
        (Get-Check $rhel FreezeCommands).Status | Should -Be 'Pass'
        Get-FreezeStatus $lab qa rhel01 | Should -BeNullOrEmpty
    }
}

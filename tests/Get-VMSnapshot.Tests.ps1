BeforeAll {
    . "$PSScriptRoot/common.ps1"
    Import-Module $ModuleManifest -Force

    $settings = @'
apiVersion: lab.vmsnapshot.io/v1
kind: LabSettings
namespace: vms
users:
  - name: vm-only
    token: vm-only-token
    rules:
      - apiGroups: ["kubevirt.io"]
        resources: ["virtualmachines"]
        verbs: ["get", "list"]
'@
    $documents = @(
        $settings
        'apiVersion: v1
kind: Namespace
metadata:
  name: vms'
        'apiVersion: v1
kind: Namespace
metadata:
  name: dev'
        'apiVersion: v1
kind: Namespace
metadata:
  name: quiet'
        (New-SnapshotManifest -Name 'web-before-patch' -Namespace vms -VMName web)
        (New-SnapshotManifest -Name 'web-after-patch' -Namespace vms -VMName web -Indications Online, NoGuestAgent)
        (New-SnapshotManifest -Name 'db-nightly' -Namespace vms -VMName db -Phase Failed -Indications @())
        (New-SnapshotManifest -Name 'db-offline' -Namespace vms -VMName db -Indications @())
        (New-SnapshotManifest -Name 'dev-web' -Namespace dev -VMName web)
    )
    $scenario = New-ScenarioFile -Document $documents
    $lab = Start-KubeVirtLab -Scenario $scenario -Name 'get-tests' -Connect
}

AfterAll {
    $lab | Stop-KubeVirtLab -Confirm:$false
    Disconnect-KubeVirt
}

Describe 'Get-VMSnapshot' {
    It 'lists the snapshots of the default namespace as typed objects' {
        $snapshots = Get-VMSnapshot
        $snapshots.Name | Sort-Object | Should -Be @('db-nightly', 'db-offline', 'web-after-patch', 'web-before-patch')
        $snapshots | ForEach-Object { $_ | Should -BeOfType ([VmSnapshot.KubeVirtVMSnapshot]) }
        $snapshots.Namespace | Sort-Object -Unique | Should -Be 'vms'
    }

    It 'lists nothing, without an error, in a namespace that exists but is empty; a missing one is one error however many names are piped' {
        Get-VMSnapshot -Namespace quiet -ErrorVariable err | Should -BeNullOrEmpty
        $err.Count | Should -Be 0
        # One wrong namespace in a pipeline is one error, however many names come through it.
        'web', 'db' | Get-KubeVirtVM -Namespace quite -ErrorVariable err2 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        @($err2.FullyQualifiedErrorId) | Should -Be @('NamespaceNotFound,VmSnapshot.Commands.GetKubeVirtVMCommand')
        Get-KubeVirtVM -Namespace quiet -ErrorVariable err3 | Should -BeNullOrEmpty
        $err3.Count | Should -Be 0
    }

    It 'maps phase, readiness, consistency and time' {
        $byName = @{}
        Get-VMSnapshot | ForEach-Object { $byName[$_.Name] = $_ }

        $byName['web-before-patch'].Phase | Should -Be ([VmSnapshot.SnapshotPhase]::Succeeded)
        $byName['web-before-patch'].ReadyToUse | Should -BeTrue
        $byName['web-before-patch'].Consistency | Should -Be 'ApplicationConsistent'
        $byName['web-after-patch'].Consistency | Should -Be 'CrashConsistent'
        $byName['db-offline'].Consistency | Should -Be 'Offline'
        $byName['db-nightly'].Phase | Should -Be 'Failed'
        $byName['db-nightly'].ReadyToUse | Should -BeFalse
        $byName['web-before-patch'].CreationTime | Should -Be ([DateTimeOffset]'2026-11-20T10:00:05Z').LocalDateTime
        $byName['web-before-patch'].CreationTime.Kind | Should -Be 'Local'
        $byName['web-before-patch'].VMName | Should -Be 'web'
    }

    It 'filters -Name with wildcards, case-insensitively' {
        (Get-VMSnapshot -Name 'WEB-*').Name | Sort-Object | Should -Be @('web-after-patch', 'web-before-patch')
        (Get-VMSnapshot '*nightly').Name | Should -Be 'db-nightly'
    }

    It 'gets a literal name' {
        $snapshot = Get-VMSnapshot -Name web-before-patch
        $snapshot.Name | Should -Be 'web-before-patch'
    }

    It 'filters -VMName with wildcards' {
        (Get-VMSnapshot -VMName 'd*').Name | Sort-Object | Should -Be @('db-nightly', 'db-offline')
    }

    It 'reports a literal name that does not exist as a non-terminating ObjectNotFound error' {
        $found = Get-VMSnapshot -Name 'no-such-snapshot', 'web-before-patch' -ErrorAction SilentlyContinue -ErrorVariable err
        $found.Name | Should -Be 'web-before-patch'
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'SnapshotNotFound,VmSnapshot.Commands.GetVMSnapshotCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 'no-such-snapshot'
        $err[0].Exception.Message | Should -BeLike "*'no-such-snapshot'*namespace 'vms'*"
    }

    It 'names the VM it looked at when a snapshot of that name exists for another VM' {
        Get-VMSnapshot -Name 'web-before-patch' -VMName 'db' -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'SnapshotNotFound,VmSnapshot.Commands.GetVMSnapshotCommand'
        $err[0].Exception.Message | Should -BeLike "No VM snapshot named 'web-before-patch' of VM 'db' was found in namespace 'vms'*"
    }

    It 'is silent when a wildcard matches nothing' {
        $found = Get-VMSnapshot -Name 'zzz*' -ErrorVariable err
        $found | Should -BeNullOrEmpty
        $err.Count | Should -Be 0
    }

    It 'lists every namespace with -AllNamespaces' {
        $all = Get-VMSnapshot -AllNamespaces
        $all.Count | Should -Be 5
        ($all | Where-Object Namespace -EQ 'dev').Name | Should -Be 'dev-web'
        (Get-VMSnapshot -AllNamespaces -Name 'dev-*').Namespace | Should -Be 'dev'
    }

    It 'reads another namespace with -Namespace' {
        (Get-VMSnapshot -Namespace dev).Name | Should -Be 'dev-web'
    }

    It 'takes the VM name and namespace from piped objects' {
        $vm = [pscustomobject]@{ VMName = 'web'; Namespace = 'dev' }
        ($vm | Get-VMSnapshot).Name | Should -Be 'dev-web'
    }

    It 'refuses -Namespace together with -AllNamespaces' {
        { Get-VMSnapshot -Namespace vms -AllNamespaces } |
            Should -Throw -ErrorId 'NamespaceAndAllNamespaces,VmSnapshot.Commands.GetVMSnapshotCommand'
    }

    It 'shows a default table with the snapshot columns' {
        $table = Get-VMSnapshot -Name web-before-patch | Format-Table | Out-String -Width 200
        $table | Should -Match 'Name\s+VMName\s+Phase\s+Ready\s+Consistency\s+Coverage\s+Age'
        # No snapshotVolumes in this fixture: what it holds is not known, and the view says so.
        $table | Should -Match 'web-before-patch\s+web\s+Succeeded\s+True\s+ApplicationConsistent\s+Unknown'
    }

    It 'works with Sort-Object, Where-Object, Export-Csv and ConvertTo-Json' {
        $latest = Get-VMSnapshot -VMName web | Where-Object ReadyToUse | Sort-Object CreationTime -Descending | Select-Object -First 1
        $latest.VMName | Should -Be 'web'
        $csv = Join-Path $TestDrive 'snapshots.csv'
        Get-VMSnapshot | Export-Csv -LiteralPath $csv
        (Import-Csv $csv).Count | Should -Be 4
        (Get-VMSnapshot -Name db-nightly | ConvertTo-Json -EnumsAsStrings | ConvertFrom-Json).Phase | Should -Be 'Failed'
    }

    It 'streams large lists page by page and returns every snapshot' {
        $many = 1..1203 | ForEach-Object { New-SnapshotManifest -Name ("bulk-{0:d5}" -f $_) -Namespace bulk -VMName "vm-$($_ % 7)" }
        $bulkScenario = New-ScenarioFile -Document (@("apiVersion: v1`nkind: Namespace`nmetadata:`n  name: bulk") + $many)
        $bulkLab = Start-KubeVirtLab -Scenario $bulkScenario -Name 'bulk'
        try {
            $connection = Connect-KubeVirt -Kubeconfig $bulkLab.KubeconfigPath -Namespace bulk -PassThru
            $snapshots = Get-VMSnapshot -Connection $connection
            $snapshots.Count | Should -Be 1203
            ($snapshots.Name | Sort-Object -Unique).Count | Should -Be 1203
            # Select-Object -First stops the pipeline early; that must end cleanly, not as an error.
            (Get-VMSnapshot -Connection $connection | Select-Object -First 3).Count | Should -Be 3
        }
        finally {
            $bulkLab | Stop-KubeVirtLab -Confirm:$false
            Start-KubeVirtLab -Scenario $scenario -Name 'get-tests-reconnect' -Connect | Out-Null
        }
    }
}

Describe 'Coverage and Error on snapshots shaped as KubeVirt writes them' {
    BeforeAll {
        function New-CoverageSnapshot {
            # A succeeded snapshot with status.snapshotVolumes, as KubeVirt's updateSnapshotSnapshotableVolumes writes it.
            param([string] $Name, [string] $VMName = 'db', [string[]] $Indications, [string[]] $Included, [string[]] $Excluded)
            $lists = @(
                if ($Included) { "    includedVolumes: [$($Included -join ', ')]" }
                if ($Excluded) { "    excludedVolumes: [$($Excluded -join ', ')]" }
            ) -join "`n"
            @"
apiVersion: snapshot.kubevirt.io/v1beta1
kind: VirtualMachineSnapshot
metadata: {name: $Name, namespace: cov, creationTimestamp: '2026-11-20T10:00:00Z'}
spec:
  source: {apiGroup: kubevirt.io, kind: VirtualMachine, name: $VMName}
status:
  phase: Succeeded
  readyToUse: true
  creationTime: '2026-11-20T10:00:05Z'
  indications: [$($Indications -join ', ')]
  conditions:
  - {type: Progressing, status: 'False', reason: Operation complete}
  - {type: Ready, status: 'True', reason: Ready}
  snapshotVolumes:
$(if ($lists) { $lists } else { '    {}' })
"@
        }

        $documents = @(
            @'
apiVersion: lab.vmsnapshot.io/v1
kind: LabSettings
namespace: cov
users:
  - name: snapshots-only
    token: snapshots-only-token
    rules:
      - apiGroups: ["snapshot.kubevirt.io"]
        resources: ["virtualmachinesnapshots"]
        verbs: ["get", "list", "watch"]
'@
            @'
apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: db, namespace: cov}
spec:
  runStrategy: Halted
  template:
    spec:
      domain:
        devices:
          disks: [{name: rootdisk, disk: {bus: virtio}}, {name: data, disk: {bus: virtio}}, {name: cloudinitdisk, disk: {bus: virtio}}]
      volumes:
      - {name: rootdisk, persistentVolumeClaim: {claimName: db-root}}
      - {name: data, dataVolume: {name: db-data}}
      - {name: cloudinitdisk, cloudInitNoCloud: {userData: "#cloud-config"}}
'@
            # KubeVirt 1.9+: the indication says a disk was left out.
            (New-CoverageSnapshot -Name db-partial -Indications GuestAgent, Online, PartialSnapshot -Included rootdisk -Excluded data, cloudinitdisk)
            (New-CoverageSnapshot -Name db-config-only -Indications PartialSnapshot -Excluded rootdisk, data, cloudinitdisk)
            # Before 1.9 there is no indication: the same lists, and only the VM's spec tells data from cloud-init.
            (New-CoverageSnapshot -Name db-before-19 -Indications GuestAgent, Online -Included rootdisk -Excluded data, cloudinitdisk)
            (New-CoverageSnapshot -Name db-all -Indications GuestAgent, Online -Included rootdisk, data -Excluded cloudinitdisk)
            (New-CoverageSnapshot -Name db-offline -Included rootdisk, data)
            (New-CoverageSnapshot -Name gone-before-19 -VMName gone -Indications GuestAgent, Online -Included rootdisk -Excluded data)
            # A source no VM can be named (made through the unescaped-URL hole of older versions): never asked for.
            (New-CoverageSnapshot -Name odd-source -VMName "'db/status'" -Indications GuestAgent, Online -Included rootdisk -Excluded data)
            # A failureDeadline expiry as KubeVirt records it (snapshot.go updateSnapshotStatus): the Failure condition
            # only, no status.error and no creationTime.
            @'
apiVersion: snapshot.kubevirt.io/v1beta1
kind: VirtualMachineSnapshot
metadata: {name: db-deadline, namespace: cov, creationTimestamp: '2026-11-21T10:00:00Z'}
spec:
  source: {apiGroup: kubevirt.io, kind: VirtualMachine, name: db}
status:
  phase: Failed
  readyToUse: false
  indications: [GuestAgent, Online]
  conditions:
  - {type: Progressing, status: 'False', reason: Operation failed}
  - {type: Ready, status: 'False', reason: Not ready}
  - {type: Failure, status: 'True', reason: snapshot deadline exceeded}
'@
            # A deadline that ended a freeze that kept failing: status.error is the content's freeze error.
            @'
apiVersion: snapshot.kubevirt.io/v1beta1
kind: VirtualMachineSnapshot
metadata: {name: db-freeze-deadline, namespace: cov, creationTimestamp: '2026-11-22T10:00:00Z'}
spec:
  source: {apiGroup: kubevirt.io, kind: VirtualMachine, name: db}
status:
  phase: Failed
  readyToUse: false
  error: {time: '2026-11-22T10:04:55Z', message: 'command Freeze failed: fsfreeze hook has failed with status 1'}
  conditions:
  - {type: Progressing, status: 'False', reason: In error state}
  - {type: Ready, status: 'False', reason: Not ready}
  - {type: Failure, status: 'True', reason: snapshot deadline exceeded}
'@
        )
        $coverageLab = Start-KubeVirtLab -Scenario (New-ScenarioFile -Document $documents) -Name 'coverage'
        $admin = Connect-KubeVirt -Kubeconfig $coverageLab.KubeconfigPath -Namespace cov -PassThru
        $byName = @{}
        Get-VMSnapshot -Connection $admin -ErrorVariable listErrors | ForEach-Object { $byName[$_.Name] = $_ }
    }

    AfterAll {
        $coverageLab | Stop-KubeVirtLab -Confirm:$false
    }

    It 'says Partial or ConfigOnly when the cluster reports a disk left out (PartialSnapshot)' {
        $byName['db-partial'].Coverage | Should -Be 'Partial'
        # However consistent the rest is: a partial snapshot does not read as fully protected.
        $byName['db-partial'].Consistency | Should -Be 'ApplicationConsistent'
        $byName['db-partial'].ExcludedVolumes | Should -Be @('data', 'cloudinitdisk')
        $byName['db-config-only'].Coverage | Should -Be 'ConfigOnly'
    }

    It 'tells a left-out data disk from cloud-init by the VM''s spec when the cluster predates the indication' {
        $byName['db-before-19'].Coverage | Should -Be 'Partial'
        $byName['db-all'].Coverage | Should -Be 'AllDisks'
        $byName['db-offline'].Coverage | Should -Be 'AllDisks'
        # The VM is gone: nothing tells what 'data' was, and Unknown is never read as every disk.
        $byName['gone-before-19'].Coverage | Should -Be 'Unknown'
        $byName['db-deadline'].Coverage | Should -Be 'Unknown'
        # Its source is no VM name: no VM is asked for, the snapshot is still listed, and nothing fails.
        $byName['odd-source'].VMName | Should -Be 'db/status'
        $byName['odd-source'].Coverage | Should -Be 'Unknown'
        $listErrors.Count | Should -Be 0
        $byName.Count | Should -Be 9
    }

    It 'never guesses AllDisks for a caller who may read snapshots but not VMs' {
        $reader = Connect-KubeVirt -Server $coverageLab.Server -Token (ConvertTo-SecureString 'snapshots-only-token' -AsPlainText) -Namespace cov -PassThru
        $seen = @{}
        Get-VMSnapshot -Connection $reader -ErrorVariable err | ForEach-Object { $seen[$_.Name] = $_ }
        $err.Count | Should -Be 0
        $seen.Count | Should -Be $byName.Count
        $seen['db-before-19'].Coverage | Should -Be 'Unknown'
        $seen['db-all'].Coverage | Should -Be 'Unknown'
        $seen['db-partial'].Coverage | Should -Be 'Partial'
        $seen['db-offline'].Coverage | Should -Be 'AllDisks'
        # May not read namespaces: an empty list in a namespace that is not there stays an empty list, without a guess.
        Get-VMSnapshot -Namespace nosuch -Connection $reader -ErrorVariable nsErr | Should -BeNullOrEmpty
        $nsErr.Count | Should -Be 0
        # Nor VMs: whether a -VMName with no snapshots is a VM cannot be told, and the list is not cut short for it.
        $stream = Get-VMSnapshot -VMName db-typo -Connection $reader -ErrorVariable vmErr -Verbose 4>&1
        ($stream | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" |
            Should -BeLike "*Whether VM 'db-typo' exists in namespace 'cov' could not be checked*"
        $vmErr.Count | Should -Be 0
    }

    It 'reads a deadline failure from the Failure condition, which is all a real cluster records' {
        $failed = $byName['db-deadline']
        $failed.Phase | Should -Be 'Failed'
        $failed.ReadyToUse | Should -BeFalse
        $failed.Error | Should -Be 'snapshot deadline exceeded'
        $byName['db-freeze-deadline'].Error |
            Should -Be 'snapshot deadline exceeded; last error: command Freeze failed: fsfreeze hook has failed with status 1'
        $byName['db-partial'].Error | Should -BeNullOrEmpty
    }

    It 'shows the coverage in the default table' {
        $table = $byName['db-partial', 'db-all'] | Format-Table | Out-String -Width 200
        $table | Should -Match 'Name\s+VMName\s+Phase\s+Ready\s+Consistency\s+Coverage\s+Age'
        $table | Should -Match 'db-partial\s+db\s+Succeeded\s+True\s+ApplicationConsistent\s+Partial\s'
        $table | Should -Match 'db-all\s+db\s+Succeeded\s+True\s+ApplicationConsistent\s+AllDisks\s'
    }
}

Describe 'Get-VMSnapshot on the default scenario' {
    BeforeAll {
        $defaultLab = Start-KubeVirtLab -Name 'get-default'
        $connection = Connect-KubeVirt -Kubeconfig $defaultLab.KubeconfigPath -PassThru
    }

    AfterAll {
        $defaultLab | Stop-KubeVirtLab -Confirm:$false
    }

    It 'shows why the seeded failed snapshot failed, from its Failure condition' {
        $failed = Get-VMSnapshot rhel8-brainy-bear-pre-patch -Connection $connection
        $failed.Phase | Should -Be 'Failed'
        $failed.Error | Should -Be 'snapshot deadline exceeded'
        $failed.Coverage | Should -Be 'Unknown'
    }

    It 'counts cloud-init left out of a snapshot as nothing missing' {
        $snapshot = Get-VMSnapshot rhel8-brainy-bear-before-upgrade -Connection $connection
        $snapshot.ExcludedVolumes | Should -Be @('cloudinitdisk')
        $snapshot.Coverage | Should -Be 'AllDisks'
        (Get-VMSnapshot -VMName win2k19-profound-gecko -Connection $connection).Coverage | Sort-Object -Unique | Should -Be 'AllDisks'
    }

    It 'says so when the namespace does not exist, where the server would list nothing' {
        Get-VMSnapshot -Namespace vmss -Connection $connection -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'NamespaceNotFound,VmSnapshot.Commands.GetVMSnapshotCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 'vmss'
        $err[0].ErrorDetails.RecommendedAction | Should -BeLike '*Get-KubeVirtVM -AllNamespaces*'
        $err[0].Exception.Message | Should -Be "Namespace 'vmss' does not exist."
        # The connection's own namespace: the message says where it came from.
        $typo = Connect-KubeVirt -Kubeconfig $defaultLab.KubeconfigPath -Namespace vmss -PassThru
        Get-VMSnapshot -Connection $typo -ErrorVariable connErr -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $connErr[0].Exception.Message | Should -BeLike "*It is the connection's namespace (from Connect-KubeVirt -Namespace or the kubeconfig context)*"
        # Literal names there: the one error explains them all.
        Get-VMSnapshot web-before-patch, db-nightly -VMName web -Namespace vmss -Connection $connection -ErrorVariable err2 -ErrorAction SilentlyContinue | Out-Null
        @($err2.FullyQualifiedErrorId) | Should -Be @('NamespaceNotFound,VmSnapshot.Commands.GetVMSnapshotCommand')
    }

    It 'reports a literal -VMName that is no VM, so a typo in a runbook is not read as "no snapshots"' {
        Get-VMSnapshot -VMName rhel8-brainy-baer -Connection $connection -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'VMNotFound,VmSnapshot.Commands.GetVMSnapshotCommand'
        $err[0].TargetObject | Should -Be 'rhel8-brainy-baer'
        # A VM that exists but has no snapshot, and a wildcard, are not errors.
        Get-VMSnapshot -VMName fedora-hotplug, 'nothing-*' -Connection $connection -ErrorVariable err2 -ErrorAction SilentlyContinue | Out-Null
        $err2.Count | Should -Be 0
    }
}

Describe 'Errors from the cluster' {
    BeforeAll {
        $errorLab = Start-KubeVirtLab -Scenario $scenario -Name 'errors'
        $token = [System.Net.NetworkCredential]::new('', $errorLab.GetToken()).Password
    }

    AfterAll {
        $errorLab | Stop-KubeVirtLab -Confirm:$false
    }

    It 'turns 401 into a terminating PermissionDenied error that names the fix' {
        # The lab's server, but a wrong token: the connection check must be refused.
        $bad = { Connect-KubeVirt -Server $errorLab.Server -Token (ConvertTo-SecureString 'wrong-token' -AsPlainText) -Namespace vms }
        $bad | Should -Throw -ErrorId 'Unauthorized,VmSnapshot.Commands.ConnectKubeVirtCommand'
        try { & $bad } catch { $record = $_ }
        $record.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $record.Exception.Message | Should -BeLike '*401*Connect-KubeVirt*'
    }

    It 'accepts the right token given as a SecureString' {
        $connection = Connect-KubeVirt -Server $errorLab.Server -Token (ConvertTo-SecureString $token -AsPlainText) -Namespace vms -PassThru
        $connection.Source | Should -Be 'Token'
        (Get-VMSnapshot -Connection $connection -Name 'web-before-patch').Name | Should -Be 'web-before-patch'
    }

    It 'turns 403 into PermissionDenied naming the verb and resource that was refused' {
        # Connect checks that snapshots can be listed, so this user is refused at connect time already.
        $connectErr = @()
        try {
            Connect-KubeVirt -Server $errorLab.Server -Token (ConvertTo-SecureString 'vm-only-token' -AsPlainText) -Namespace vms
        }
        catch {
            $connectErr = @($_)
        }
        $connectErr.Count | Should -Be 1
        $connectErr[0].FullyQualifiedErrorId | Should -Be 'Forbidden,VmSnapshot.Commands.ConnectKubeVirtCommand'
        $connectErr[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $connectErr[0].Exception.Message | Should -BeLike '*cannot list resource "virtualmachinesnapshots" in API group "snapshot.kubevirt.io"*'
        $connectErr[0].ErrorDetails.RecommendedAction | Should -BeLike '*list virtualmachinesnapshots.snapshot.kubevirt.io*'
    }

    It 'reports 403 from Get-VMSnapshot through a kubeconfig user' {
        $kubeconfig = Join-Path $TestDrive 'limited.kubeconfig'
        @"
apiVersion: v1
kind: Config
current-context: limited
clusters:
- name: lab
  cluster:
    server: $($errorLab.Server)
users:
- name: vm-only
  user:
    token: vm-only-token
contexts:
- name: limited
  context:
    cluster: lab
    user: vm-only
    namespace: vms
"@ | Set-Content $kubeconfig
        $env:KUBECONFIG = $kubeconfig
        try {
            { Get-VMSnapshot -Context limited } | Should -Throw -ErrorId 'Forbidden,VmSnapshot.Commands.GetVMSnapshotCommand'
        }
        finally {
            Remove-Item Env:KUBECONFIG
        }
    }

    It 'reports an unreachable server as ConnectionError' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
        $unreachable = { Connect-KubeVirt -Server "http://127.0.0.1:$port" -Token (ConvertTo-SecureString 'x' -AsPlainText) }
        $unreachable | Should -Throw -ErrorId 'ClusterUnreachable,VmSnapshot.Commands.ConnectKubeVirtCommand'
        try { & $unreachable } catch { $record = $_ }
        $record.CategoryInfo.Category | Should -Be 'ConnectionError'
        $record.TargetObject | Should -Be ([uri]"http://127.0.0.1:$port")
    }
}

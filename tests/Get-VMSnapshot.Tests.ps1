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
        $table | Should -Match 'Name\s+VMName\s+Phase\s+Ready\s+Consistency\s+CreationTime'
        $table | Should -Match 'web-before-patch\s+web\s+Succeeded\s+True\s+ApplicationConsistent'
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

Describe 'Errors from the cluster' {
    BeforeAll {
        $errorLab = Start-KubeVirtLab -Scenario $scenario -Name 'errors'
        $token = [System.Net.NetworkCredential]::new('', $errorLab.Token).Password
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

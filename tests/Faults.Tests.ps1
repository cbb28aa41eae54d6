# A runbook on a flaky cluster. Every fault the lab can inject, at a realistic rate, while the module snapshots,
# prunes, restores, clones and lists. Each case first proves the fault fired (Get-KubeVirtLabFault), then that the
# outcome is exactly the one a healthy cluster gives: every object made once, nothing lost, nothing else touched.
BeforeAll {
    . "$PSScriptRoot/common.ps1"
    Import-Module $ModuleManifest -Force
    $timeout = New-TimeSpan -Minutes 2
}

Describe 'Riding through a flaky API server' {
    AfterEach { Get-KubeVirtLab | Stop-KubeVirtLab -Confirm:$false; Disconnect-KubeVirt }

    It 'snapshots 20 VMs exactly once each while the server answers with <Fault>' -ForEach @(
        @{ Fault = 'throttle'; Rule = @{ fault = 'throttle'; rate = 0.2; retryAfter = 1 } }
        @{ Fault = 'error'; Rule = @{ fault = 'error'; rate = 0.15 } }
        @{ Fault = 'unavailable'; Rule = @{ fault = 'unavailable'; rate = 0.15 } }
        @{ Fault = 'reset'; Rule = @{ fault = 'reset'; rate = 0.15 } }
        @{ Fault = 'lostResponse'; Rule = @{ fault = 'lostResponse'; rate = 0.15 } }
        @{ Fault = 'truncate'; Rule = @{ fault = 'truncate'; rate = 0.15 } }
        @{ Fault = 'closeWatch'; Rule = @{ fault = 'closeWatch'; duration = '300ms' } }
        @{ Fault = 'expireWatch'; Rule = @{ fault = 'expireWatch'; rate = 0.5 } }
        @{ Fault = 'slow'; Rule = @{ fault = 'slow'; rate = 0.2; delay = '300ms' } }
        @{ Fault = 'restart'; Rule = @{ fault = 'restart'; verbs = 'create'; sequence = 5, 15; duration = '1s' } }
    ) {
        Start-KubeVirtLab -Scenario scale:2x10 -Name "faults-$($Fault.ToLowerInvariant())" -ClockSpeed 50 -Connect | Out-Null
        Set-KubeVirtLabFault -Rule $Rule -Seed 11

        $made = Get-KubeVirtVM -AllNamespaces |
            New-VMSnapshot -Label @{ run = 'faults' } -Timeout $timeout -ErrorVariable err -ErrorAction SilentlyContinue
        $fired = (Get-KubeVirtLabFault).Injected
        Set-KubeVirtLabFault -Rule @()

        $fired | Should -BeGreaterThan 0 -Because 'the fault must have happened for the test to mean anything'
        $err.Count | Should -Be 0
        @($made).Count | Should -Be 20
        $stored = @(Get-VMSnapshot -AllNamespaces -Label @{ run = 'faults' })
        $stored.Count | Should -Be 20 -Because 'no snapshot is made twice and none is lost'
        @($stored | Group-Object Namespace, VMName | Where-Object Count -NE 1) | Should -BeNullOrEmpty
        @($stored | Where-Object { -not $_.ReadyToUse }) | Should -BeNullOrEmpty
    }

    It 'prunes with -KeepLast exactly as on a healthy cluster when deletes lose their answers' {
        $documents = @(
            "apiVersion: lab.vmsnapshot.io/v1`nkind: LabSettings`nnamespace: vms"
            "apiVersion: v1`nkind: Namespace`nmetadata:`n  name: vms"
            (New-SnapshotManifest -Name web-1 -Namespace vms -VMName web -CreationTime '2026-10-01T10:00:00Z')
            (New-SnapshotManifest -Name web-2 -Namespace vms -VMName web -CreationTime '2026-10-20T10:00:00Z')
            (New-SnapshotManifest -Name web-3 -Namespace vms -VMName web -CreationTime '2026-11-20T10:00:00Z')
        )
        Start-KubeVirtLab -Scenario (New-ScenarioFile -Document $documents) -Name 'faults-prune' -Connect | Out-Null
        $mark = Checkpoint-KubeVirtLab
        Set-KubeVirtLabFault -Rule @{ fault = 'lostResponse'; verbs = 'delete'; sequence = 1, 2 }, @{ fault = 'throttle'; verbs = 'list'; sequence = 1 }

        Remove-VMSnapshot -VMName web -KeepLast 1 -Wait -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue

        (Get-KubeVirtLabFault).Injected | Should -Be @(2, 1)
        $err.Count | Should -Be 0
        Assert-LabChangeSet -Since $mark -Expected @('Deleted VirtualMachineSnapshot vms/web-1', 'Deleted VirtualMachineSnapshot vms/web-2') | Out-Null
    }

    It 'restores exactly once when the restore create loses its answer and virt-api throttles stop and start' {
        Start-KubeVirtLab -Name 'faults-restore' -ClockSpeed 20 -Connect | Out-Null
        $snapshot = New-VMSnapshot rhel8-brainy-bear -Name before-change -Timeout $timeout
        $mark = Checkpoint-KubeVirtLab
        Set-KubeVirtLabFault -Rule @(
            @{ fault = 'lostResponse'; verbs = 'create'; resources = 'virtualmachinerestores'; sequence = 1 }
            @{ fault = 'throttle'; resources = 'virtualmachines/stop', 'virtualmachines/start'; sequence = 1, 2 }
        )

        $restore = $snapshot | Restore-VMSnapshot -StopVM -StartVM -Confirm:$false -PassThru -Timeout $timeout -ErrorVariable err -ErrorAction SilentlyContinue

        (Get-KubeVirtLabFault).Injected | Should -Be @(1, 2)
        $err.Count | Should -Be 0
        $restore.Complete | Should -BeTrue
        $restores = @(Get-KubeVirtLabChange -Since $mark | Where-Object { $_.Kind -eq 'VirtualMachineRestore' -and $_.Change -eq 'Created' })
        $restores.Count | Should -Be 1
        $restores[0].Name | Should -Be $restore.Name
    }

    It 'clones exactly once when the clone create loses its answer' {
        Start-KubeVirtLab -Name 'faults-clone' -ClockSpeed 20 -Connect | Out-Null
        $snapshot = New-VMSnapshot rhel8-brainy-bear -Name to-clone -Timeout $timeout
        $mark = Checkpoint-KubeVirtLab
        Set-KubeVirtLabFault -Rule @{ fault = 'lostResponse'; verbs = 'create'; resources = 'virtualmachineclones'; sequence = 1 }

        $clone = $snapshot | New-VMClone -Name rhel-copy -Timeout $timeout -ErrorVariable err -ErrorAction SilentlyContinue

        (Get-KubeVirtLabFault).Injected | Should -Be 1
        $err.Count | Should -Be 0
        $clone.VMName | Should -Be 'rhel-copy'
        @(Get-KubeVirtLabChange -Since $mark | Where-Object { $_.Kind -eq 'VirtualMachineClone' -and $_.Change -eq 'Created' }).Count | Should -Be 1
        @(Get-KubeVirtLabChange -Since $mark | Where-Object { $_.Kind -eq 'VirtualMachine' -and $_.Change -eq 'Created' }).Name | Should -Be 'rhel-copy'
    }

    It 'lists every snapshot of every namespace exactly once while pages are throttled and cut' {
        $documents = @("apiVersion: lab.vmsnapshot.io/v1`nkind: LabSettings`nnamespace: ns-1") +
            @(foreach ($n in 1..3) { "apiVersion: v1`nkind: Namespace`nmetadata:`n  name: ns-$n" }) +
            @(foreach ($i in 1..300) { New-SnapshotManifest -Name ('snap-{0:d3}' -f $i) -Namespace "ns-$($i % 3 + 1)" -VMName "vm-$($i % 7)" })
        Start-KubeVirtLab -Scenario (New-ScenarioFile -Document $documents) -Name 'faults-list' -Connect | Out-Null
        $expected = (Get-VMSnapshot -AllNamespaces).Name | Sort-Object
        Set-KubeVirtLabFault -Rule @{ fault = 'truncate'; verbs = 'list'; sequence = 1 }, @{ fault = 'throttle'; verbs = 'list'; sequence = 1, 2 }

        $listed = (Get-VMSnapshot -AllNamespaces -ErrorVariable err -ErrorAction SilentlyContinue).Name

        (Get-KubeVirtLabFault).Injected | Should -Be @(1, 2)
        $err.Count | Should -Be 0
        $expected.Count | Should -Be 300
        ($listed | Sort-Object) | Should -Be $expected
    }

    It 'stops at a wrong rule (<Case>), so a test never runs without its fault, and keeps the rules it had' -ForEach @(
        @{ Case = 'a misspelled resource'; Rule = @{ fault = 'error'; resources = 'vmsnapshots' }; Message = "-Rule[0]: the lab serves no resource 'vmsnapshots'. Use a plural" }
        @{ Case = 'an unknown fault'; Rule = @{ fault = 'explode' }; Message = "-Rule[0]: fault 'explode' is not one of throttle," }
        @{ Case = 'a misspelled key'; Rule = @{ fault = 'throttle'; retryAftr = 1 }; Message = "-Rule[0]: unknown field 'retryAftr'. Known: fault," }
        @{ Case = 'text that names no fault'; Rule = 'text'; Message = "-Rule[0]: 'text' is not a fault rule. A rule is a hashtable such as @{ fault = 'throttle'; verbs = 'create'; rate = 0.2 }, or a fault's name alone for a rule that picks every request: throttle, error," }
        @{ Case = 'a number'; Rule = 5; Message = "-Rule[0]: '5' is not a fault rule. A rule is a hashtable such as" }
        @{ Case = 'JSON text'; Rule = '{"fault":"error"}'; Message = "-Rule[0]: '{`"fault`":`"error`"}' is not a fault rule." }
    ) {
        Start-KubeVirtLab -Scenario empty -Name 'faults-wrong-rule' -Connect | Out-Null
        Set-KubeVirtLabFault -Rule @{ fault = 'slow'; verbs = 'get' }

        $record = $null
        try { Set-KubeVirtLabFault -Rule $Rule; $reached = $true } catch { $record = $_ }

        $reached | Should -BeNullOrEmpty -Because 'the error ends the command (and a test) at once'
        $record.FullyQualifiedErrorId | Should -Be 'InvalidFaultRule,VmSnapshot.Commands.SetKubeVirtLabFaultCommand'
        $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $record.Exception.Message.StartsWith($Message, [StringComparison]::Ordinal) | Should -BeTrue -Because $record.Exception.Message
        (Get-KubeVirtLabFault).Fault | Should -Be 'slow'
    }

    It 'says JSON text becomes a rule through ConvertFrom-Json, and that the lab''s rules are unchanged' {
        Start-KubeVirtLab -Scenario empty -Name 'faults-json-text' -Connect | Out-Null
        $record = $null
        try { Set-KubeVirtLabFault -Rule '{"fault":"error"}' } catch { $record = $_ }
        $record.FullyQualifiedErrorId | Should -Be 'InvalidFaultRule,VmSnapshot.Commands.SetKubeVirtLabFaultCommand'
        $record.Exception.Message | Should -BeLike '* JSON text becomes a rule through ConvertFrom-Json: -Rule ($json | ConvertFrom-Json).'
        $record.ErrorDetails.RecommendedAction | Should -BeLike "*the lab's rules are unchanged."
        @(Get-KubeVirtLabFault).Count | Should -Be 0
    }

    It 'takes a fault''s name alone as the rule for that fault on every request, and objects with the keys as properties' {
        Start-KubeVirtLab -Scenario empty -Name 'faults-by-name' -Connect | Out-Null

        $byName = Set-KubeVirtLabFault -Rule Slow -PassThru
        $null = Get-VMSnapshot
        $fired = (Get-KubeVirtLabFault).Injected
        $fromJson = Set-KubeVirtLabFault -Rule ('[{"fault":"throttle","verbs":["create"],"rate":0.5}]' | ConvertFrom-Json) -PassThru

        $byName.Fault | Should -Be 'slow'
        $byName.Verbs | Should -BeNullOrEmpty -Because 'a fault''s name alone applies to every verb'
        $byName.Resources | Should -BeNullOrEmpty
        $fired | Should -BeGreaterThan 0 -Because 'the reads Get-VMSnapshot sent were slowed'
        $fromJson.Fault | Should -Be 'throttle'
        $fromJson.Verbs | Should -Be 'create'
        $fromJson.Rate | Should -Be 0.5
    }

    It 'fails a create the server keeps failing with what was tried and what to check, and makes nothing' {
        Start-KubeVirtLab -Name 'faults-down' -ClockSpeed 20 -Connect | Out-Null
        $mark = Checkpoint-KubeVirtLab
        Set-KubeVirtLabFault -Rule @{ fault = 'error'; verbs = 'create'; resources = 'virtualmachinesnapshots' }

        New-VMSnapshot rhel8-brainy-bear -Name never -ErrorVariable err -ErrorAction SilentlyContinue

        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'ApiServerError,VmSnapshot.Commands.NewVMSnapshotCommand'
        $err[0].Exception.Message | Should -Match 'The request was sent 8 times over [\d.]+ s \(500 x8\)\.'
        $err[0].Exception.Message | Should -Match "check VirtualMachineSnapshot 'never' in namespace 'vms' before trying again"
        (Get-KubeVirtLabFault).Injected | Should -Be 8
        Assert-LabChangeSet -Since $mark -Expected @() | Out-Null
    }
}

BeforeAll {
    . "$PSScriptRoot/common.ps1"
    Import-Module $ModuleManifest -Force
    $lab = Start-KubeVirtLab -Name 'output-tests' -Connect

    function ConvertTo-CsvText {
        <# The CSV text Export-Csv writes, as one string. #>
        param([Parameter(Mandatory, ValueFromPipeline)] $InputObject)
        end { ($input | ConvertTo-Csv -NoTypeInformation) -join "`n" }
    }
}

AfterAll {
    $lab | Stop-KubeVirtLab -Confirm:$false
    Disconnect-KubeVirt
}

Describe 'Output objects export readable values' {
    It 'exports VMs to CSV with volumes and networks as text, not type names' {
        $path = Join-Path $TestDrive 'vms.csv'
        Get-KubeVirtVM | Export-Csv -LiteralPath $path -NoTypeInformation
        $text = Get-Content -LiteralPath $path -Raw
        $text | Should -Not -Match 'System\.'
        $text | Should -Not -Match 'VmSnapshot\.'
        $row = Import-Csv -LiteralPath $path | Where-Object Name -eq 'rhel8-brainy-bear'
        $row.Volumes | Should -BeExactly 'rootdisk (rhel8-brainy-bear-rootdisk), cloudinitdisk (cloudInitNoCloud, not captured)'
        $row.Networks | Should -BeExactly 'default: pod network, prod: prod-net'
        $row.CPU | Should -Be '2'
        $row.Memory | Should -BeExactly '4Gi'
        $row.LastSnapshotAge | Should -Match '^\d+\.\d\d:\d\d:\d\d'
    }

    It 'exports snapshots to CSV with indications, volumes and labels as text' {
        $path = Join-Path $TestDrive 'snapshots.csv'
        Get-VMSnapshot | Export-Csv -LiteralPath $path -NoTypeInformation
        $text = Get-Content -LiteralPath $path -Raw
        $text | Should -Not -Match 'System\.'
        $rows = Import-Csv -LiteralPath $path
        $nightly = $rows | Where-Object Name -eq 'win2k19-profound-gecko-nightly-20261124'
        $nightly.Indications | Should -BeExactly 'GuestAgent, Online'
        $nightly.Labels | Should -BeExactly 'vmsnapshot.io/policy=nightly'
        $nightly.Consistency | Should -BeExactly 'ApplicationConsistent'
        $nightly.FailureDeadline | Should -BeExactly '00:05:00'
        $bear = $rows | Where-Object Name -eq 'rhel8-brainy-bear-before-upgrade'
        $bear.IncludedVolumes | Should -BeExactly 'rootdisk'
        $bear.ExcludedVolumes | Should -BeExactly 'cloudinitdisk'
    }

    It 'exports a Test-VMHealth result to CSV with every check and its status' {
        $text = Test-VMHealth -VMName rhel8-brainy-bear | ConvertTo-CsvText
        $text | Should -Not -Match 'System\.'
        $row = $text | ConvertFrom-Csv
        $row.Healthy | Should -Be 'True'
        $row.Checks | Should -BeLike 'Running: Pass, Ready: Pass, AgentConnected: Pass, *'
        $row.Checks | Should -BeLike '*VolumeAttached (rootdisk): Pass*'
        $row.Summary | Should -BeExactly '8 checks passed'
    }

    It 'keeps collections as arrays and labels as an object in ConvertTo-Json' {
        $vm = Get-KubeVirtVM rhel8-brainy-bear | ConvertTo-Json -Depth 3 | ConvertFrom-Json
        $vm.Volumes.GetType().IsArray | Should -BeTrue
        $vm.Volumes.Name | Should -Be @('rootdisk', 'cloudinitdisk')
        $vm.Networks.GetType().IsArray | Should -BeTrue
        $vm.Networks[1].Name | Should -BeExactly 'prod'
        $vm.Networks[1].Type | Should -BeExactly 'multus'
        $vm.Networks[1].Network | Should -BeExactly 'prod-net'
        $vm.CPU | Should -Be 2

        $snapshot = Get-VMSnapshot -Name win2k19-profound-gecko-nightly-20261124 | ConvertTo-Json -Depth 3 | ConvertFrom-Json
        $snapshot.Indications.GetType().IsArray | Should -BeTrue
        $snapshot.Indications | Should -Be @('GuestAgent', 'Online')
        $snapshot.Labels.'vmsnapshot.io/policy' | Should -BeExactly 'nightly'

        $health = Test-VMHealth -VMName rhel8-brainy-bear | ConvertTo-Json -Depth 3 | ConvertFrom-Json
        $health.Checks.GetType().IsArray | Should -BeTrue
        $health.Checks[0].Name | Should -BeExactly 'Running'
        $health.Checks[0].Status | Should -Be 0   # ConvertTo-Json writes enums as numbers unless -EnumsAsStrings
    }

    It 'keeps the typed collections scripts use' {
        $vm = Get-KubeVirtVM rhel8-brainy-bear
        $vm.Volumes.Count | Should -Be 2
        $vm.Volumes.Length | Should -Be 2
        $vm.Volumes[-1].Name | Should -BeExactly 'cloudinitdisk'
        @($vm.Volumes | Where-Object SnapshotEnabled).Name | Should -Be 'rootdisk'
        $vm.Networks.ToString() | Should -BeExactly 'default: pod network, prod: prod-net'
        $snapshot = Get-VMSnapshot -Name win2k19-profound-gecko-nightly-20261124
        $snapshot.Indications -contains 'GuestAgent' | Should -BeTrue
        $snapshot.Labels['vmsnapshot.io/policy'] | Should -BeExactly 'nightly'
    }
}

Describe 'VM networks, CPU and memory' {
    It 'reads the networks, vCPUs and memory of the spec' {
        $vm = Get-KubeVirtVM rhel8-brainy-bear
        $vm.Networks.Count | Should -Be 2
        $vm.Networks[0].Name | Should -BeExactly 'default'
        $vm.Networks[0].Type | Should -BeExactly 'pod'
        $vm.Networks[0].Network | Should -BeNullOrEmpty
        $vm.Networks[1].Name | Should -BeExactly 'prod'
        $vm.Networks[1].Type | Should -BeExactly 'multus'
        $vm.Networks[1].Network | Should -BeExactly 'prod-net'
        $vm.CPU | Should -Be 2
        $vm.Memory | Should -BeExactly '4Gi'
        $vm.InstanceType | Should -BeNullOrEmpty
    }
}

Describe 'Default table views' {
    It 'fits <Width> columns and keeps every <Command> name whole' -ForEach @(
        @{ Command = 'Get-KubeVirtVM'; Width = 120 }
        @{ Command = 'Get-KubeVirtVM'; Width = 80 }
        @{ Command = 'Get-VMSnapshot'; Width = 120 }
        @{ Command = 'Get-VMSnapshot'; Width = 80 }
    ) {
        $objects = & $Command
        $lines = (& $Command | Format-Table | Out-String -Width $Width) -split "`r?`n"
        $tooLong = @($lines | Where-Object Length -gt $Width)
        $tooLong | Should -BeNullOrEmpty
        foreach ($name in $objects.Name) {
            @($lines | Where-Object { $_ -match "^$([regex]::Escape($name))\s" }).Count | Should -Be 1 -Because "$name should appear whole"
        }
    }

    It 'shows CPU and memory in the VM table at 120 columns' {
        $lines = (Get-KubeVirtVM rhel8-brainy-bear | Format-Table | Out-String -Width 120) -split "`r?`n"
        ($lines | Where-Object { $_ -match '^Name\s' }) | Should -Match '\sCPU\s+Memory\s'
        ($lines | Where-Object { $_ -match '^rhel8-brainy-bear\s' }) | Should -Match '\s2\s+4Gi\s'
    }

    It 'shows each snapshot''s age whole in the snapshot table at 120 columns' {
        $lines = (Get-VMSnapshot | Format-Table | Out-String -Width 120) -split "`r?`n"
        ($lines | Where-Object { $_ -match '^Name\s' }) | Should -Match '\sCoverage\s+Age$'
        foreach ($snapshot in Get-VMSnapshot) {
            $row = $lines | Where-Object { $_ -match "^$([regex]::Escape($snapshot.Name))\s" }
            $row | Should -Match ("\s{0}d$" -f [math]::Floor($snapshot.Age.TotalDays))
        }
    }
}

Describe 'Snapshot size' {
    It 'sums the restoreSize of a snapshot''s VolumeSnapshots, in a listing and for one snapshot' {
        $all = Get-VMSnapshot
        $nightly = $all | Where-Object Name -eq 'win2k19-profound-gecko-nightly-20261124'
        $nightly.Size | Should -Be (280GB)   # rootdisk 80Gi + datadisk 200Gi
        $nightly.SizeGB | Should -Be 280
        ($all | Where-Object Name -eq 'rhel8-brainy-bear-before-upgrade').Size | Should -Be (30GB)
        ($all | Where-Object Name -eq 'rhel8-brainy-bear-pre-patch').Size | Should -BeNullOrEmpty   # failed: no VolumeSnapshots
        (Get-VMSnapshot -Name rhel8-brainy-bear-before-upgrade).SizeGB | Should -Be 30
        (Get-VMSnapshot -Name rhel8-brainy-bear-before-upgrade | ConvertTo-Csv -NoTypeInformation | ConvertFrom-Csv).SizeGB | Should -Be '30'
    }

    It 'lists snapshots without a size, and without an error, for a user who may not list VolumeSnapshots' {
        try {
            $viewer = Connect-KubeVirt -Server $lab.Server -Token (ConvertTo-SecureString 'viewer-token' -AsPlainText) -Namespace vms -PassThru -WarningAction SilentlyContinue
            $snapshots = Get-VMSnapshot -Connection $viewer -ErrorVariable err -WarningVariable warn -Verbose 4>&1
        }
        finally {
            Connect-KubeVirt -Server $lab.Server -Token $lab.GetToken() -Namespace vms -WarningAction SilentlyContinue | Out-Null
        }
        $verbose = @($snapshots | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        $snapshots = @($snapshots | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
        $err.Count | Should -Be 0
        $warn.Count | Should -Be 0   # a viewer meets this on every call: verbose, not a warning
        @($verbose | Where-Object Message -Like 'Size is left empty*').Count | Should -Be 1
        $snapshots.Count | Should -Be 5
        @($snapshots | Where-Object { $null -ne $_.Size }).Count | Should -Be 0
    }

    It 'warns once, and still lists every snapshot, when the VolumeSnapshot list fails' {
        # A server error on every VolumeSnapshot list: the retries give up after about 12 s.
        Set-KubeVirtLabFault -Lab $lab -Rule @{ fault = 'error'; verbs = 'list'; resources = 'volumesnapshots' }
        try {
            $snapshots = Get-VMSnapshot -ErrorVariable err -WarningVariable warn -WarningAction SilentlyContinue
        }
        finally {
            Set-KubeVirtLabFault -Lab $lab -Rule @()
        }
        $err.Count | Should -Be 0
        $warn.Count | Should -Be 1
        $warn[0].Message | Should -BeLike 'Size is left empty: the VolumeSnapshots that hold it could not be read.*Run the command again for sizes*'
        $snapshots.Count | Should -Be 5
        @($snapshots | Where-Object { $null -ne $_.Size }).Count | Should -Be 0
    }
}

Describe 'Change results export readable values' {
    It 'exports an Invoke-VMChange result to CSV with its steps and health looks as text' {
        # Its own lab: the change takes a safety snapshot.
        $changeLab = Start-KubeVirtLab -Name 'output-change' -ClockSpeed 100
        try {
            $connection = Connect-KubeVirt -Server $changeLab.Server -Token $changeLab.GetToken() -Namespace vms -PassThru -WarningAction SilentlyContinue
            $result = Invoke-VMChange rhel8-brainy-bear -ChangeId CHG-OUT -ScriptBlock { } -Connection $connection `
                -HealthInterval '00:00:00.1' -HealthTimeout '00:00:04' -Timeout '00:01:00' -Confirm:$false
            $text = $result | ConvertTo-CsvText
            $text | Should -Not -Match 'System\.'
            $row = $text | ConvertFrom-Csv
            $row.Outcome | Should -BeExactly 'Succeeded'
            $row.Steps | Should -BeExactly 'Snapshot: Succeeded, Change: Succeeded, HealthGate: Succeeded, Cleanup: Succeeded'
            $row.HealthSamples | Should -BeExactly 'vms/rhel8-brainy-bear: Healthy, vms/rhel8-brainy-bear: Healthy, vms/rhel8-brainy-bear: Healthy'
            $json = $result | ConvertTo-Json -Depth 3 | ConvertFrom-Json
            $json.Steps.GetType().IsArray | Should -BeTrue
            $json.Steps.Name | Should -Be @('Snapshot', 'Change', 'HealthGate', 'Cleanup')
        }
        finally {
            $changeLab | Stop-KubeVirtLab -Confirm:$false
            Connect-KubeVirt -Server $lab.Server -Token $lab.GetToken() -Namespace vms -WarningAction SilentlyContinue | Out-Null
        }
    }
}

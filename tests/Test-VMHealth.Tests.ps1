# Test-VMHealth against the lab's default scenario: the checks, their verdicts, probes from here, -Wait, bad input.
BeforeAll {
    . "$PSScriptRoot/common.ps1"
    Import-Module $ModuleManifest -Force
    $lab = Start-KubeVirtLab -Name 'health-tests' -ClockSpeed 50 -Connect

    function Invoke-LabApi([string] $Method, [string] $Path, [string] $Body, [string] $ContentType = 'application/json') {
        $token = [System.Net.NetworkCredential]::new('', $lab.GetToken()).Password
        Invoke-RestMethod -Method $Method -Uri "$($lab.Server)$Path" -Headers @{ Authorization = "Bearer $token" } -ContentType $ContentType -Body $Body
    }
}
AfterAll { $lab | Stop-KubeVirtLab -Confirm:$false; Disconnect-KubeVirt }

Describe 'Test-VMHealth' {
    It 'finds a running, ready VM with its agent, address, bound claims and attached volumes healthy' {
        $health = Test-VMHealth rhel8-brainy-bear
        $health | Should -BeOfType ([VmSnapshot.KubeVirtVMHealth])
        $health.Healthy | Should -BeTrue
        $health.FailCount | Should -Be 0
        $health.Checks.Name | Sort-Object -Unique | Should -Be @('AgentConnected', 'ClaimBound', 'DataVolume', 'GuestAddress', 'Ready', 'Running', 'VolumeAttached')
        ($health.Checks | Where-Object Status -NE 'Pass') | Should -BeNullOrEmpty
        ($health.Checks | Where-Object Name -EQ 'GuestAddress').Message | Should -Match '^\d+\.\d+\.\d+\.\d+ \(eth0\)'
    }

    It 'fails Running for a stopped VM and skips the checks that need a guest' {
        $health = Test-VMHealth centos-stopped
        $health.Healthy | Should -BeFalse
        ($health.Checks | Where-Object Name -EQ 'Running').Status | Should -Be 'Fail'
        ($health.Checks | Where-Object Name -In 'Ready', 'AgentConnected', 'GuestAddress').Status | Should -Be @('Skip', 'Skip', 'Skip')
        $health.Summary | Should -BeLike 'Running: The VM has no running instance*'
    }

    It 'fails AgentConnected for a guest without an agent, and -SkipCheck leaves it out' {
        (Test-VMHealth fedora-no-agent).Healthy | Should -BeFalse
        $skipped = Test-VMHealth fedora-no-agent -SkipCheck AgentConnected
        $skipped.Healthy | Should -BeTrue
        ($skipped.Checks | Where-Object Name -EQ 'AgentConnected').Status | Should -Be 'Skip'
    }

    It 'fails Ready for a paused VM' {
        $health = Test-VMHealth app-paused
        ($health.Checks | Where-Object Name -EQ 'Ready').Status | Should -Be 'Fail'
        $health.Healthy | Should -BeFalse
    }

    It 'answers -Quiet with exactly one boolean per VM, in the order the VMs are listed' {
        $answers = @(Test-VMHealth rhel8-brainy-bear, centos-stopped -Quiet)
        $answers.Count | Should -Be 2
        $answers | ForEach-Object { $_ | Should -BeOfType ([bool]) }
        $answers | Should -Be @($false, $true)   # centos-stopped lists before rhel8-brainy-bear

        $all = Test-VMHealth
        $all.VMName | Should -Be (Get-KubeVirtVM).Name
    }

    It 'takes VMs from Get-KubeVirtVM by property name' {
        $health = Get-KubeVirtVM rhel8* | Test-VMHealth
        $health.VMName | Should -Be 'rhel8-brainy-bear'
        $health.Namespace | Should -Be 'vms'
    }

    It 'reports a literal name that does not exist as VMNotFound and still checks the others' {
        $health = Test-VMHealth no-such-vm, rhel8-brainy-bear -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'VMNotFound,VmSnapshot.Commands.TestVMHealthCommand'
        $err[0].TargetObject | Should -Be 'no-such-vm'
        $health.VMName | Should -Be 'rhel8-brainy-bear'
    }

    It 'reports a namespace that does not exist, so a health gate over a typo never passes on nothing checked' {
        $health = Test-VMHealth -Namespace vmz -ErrorVariable err -ErrorAction SilentlyContinue
        $health | Should -BeNullOrEmpty
        @($err.FullyQualifiedErrorId) | Should -Be @('NamespaceNotFound,VmSnapshot.Commands.TestVMHealthCommand')
        $err[0].TargetObject | Should -Be 'vmz'
        { Test-VMHealth -Namespace vmz -Quiet -ErrorAction Stop } | Should -Throw -ErrorId 'NamespaceNotFound,VmSnapshot.Commands.TestVMHealthCommand'
    }

    It 'runs -HealthCheck with the VM and the health so far; a throw fails the Script check only' {
        $script:received = $null
        $health = Test-VMHealth rhel8-brainy-bear -HealthCheck { param($vm, $soFar) $script:received = @($vm.Name, $soFar.Checks.Count); $true }
        $script:received[0] | Should -Be 'rhel8-brainy-bear'
        $script:received[1] | Should -BeGreaterThan 5
        ($health.Checks | Where-Object Name -EQ 'Script').Status | Should -Be 'Pass'

        $broken = Test-VMHealth rhel8-brainy-bear -HealthCheck { throw 'the app answers 500' }
        $script = $broken.Checks | Where-Object Name -EQ 'Script'
        $script.Status | Should -Be 'Fail'
        $script.Message | Should -BeLike '*the app answers 500*'
        $broken.Healthy | Should -BeFalse
    }

    It 'probes a TCP port and an HTTP endpoint from here' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $port = $listener.LocalEndpoint.Port
        # A minimal HTTP server on its own runspace: every connection gets "200 ok".
        $server = Start-ThreadJob -ArgumentList $listener {
            param($listener)
            while ($true) {
                $client = $listener.AcceptTcpClient()
                $stream = $client.GetStream()
                $buffer = [byte[]]::new(4096); $null = $stream.Read($buffer, 0, $buffer.Length)
                $bytes = [Text.Encoding]::ASCII.GetBytes("HTTP/1.1 200 OK`r`nContent-Length: 2`r`nConnection: close`r`n`r`nok")
                $stream.Write($bytes, 0, $bytes.Length); $client.Close()
            }
        }
        try {
            $tcp = (Test-VMHealth rhel8-brainy-bear -TcpPort $port -TcpHost 127.0.0.1).Checks | Where-Object Name -EQ 'TcpPort'
            $tcp.Status | Should -Be 'Pass'
            $tcp.Target | Should -Be "127.0.0.1:$port"

            $http = (Test-VMHealth rhel8-brainy-bear -HttpUri "http://127.0.0.1:$port/healthz").Checks | Where-Object Name -EQ 'Http'
            $http.Status | Should -Be 'Pass'
            $wrong = (Test-VMHealth rhel8-brainy-bear -HttpUri "http://127.0.0.1:$port/healthz" -ExpectedStatus 204).Checks | Where-Object Name -EQ 'Http'
            $wrong.Status | Should -Be 'Fail'
            $wrong.Message | Should -BeLike '*answered 200, not 204*'
        }
        finally {
            $listener.Stop()
            $server | Remove-Job -Force
        }

        $closed = (Test-VMHealth rhel8-brainy-bear -TcpPort $port -TcpHost 127.0.0.1).Checks | Where-Object Name -EQ 'TcpPort'
        $closed.Status | Should -Be 'Fail'
    }

    It 'waits for consecutive healthy looks, and gives up after -Timeout with the last look and a warning' {
        (Test-VMHealth rhel8-brainy-bear -Wait -Interval 00:00:00.1 -ConsecutivePasses 3).Samples | Should -Be 3

        $late = Test-VMHealth centos-stopped -Wait -Timeout 00:00:01 -Interval 00:00:00.2 -WarningVariable warn -WarningAction SilentlyContinue
        $late.Healthy | Should -BeFalse
        $late.Samples | Should -BeGreaterThan 1
        $warn.Count | Should -Be 1
        $warn[0].Message | Should -BeLike "*centos-stopped*Not healthy at any of * looks within 00:00:01; the last look: Running:*"
    }

    It 'answers Healthy false (and -Quiet $false) when the VM was healthy at the end of the wait but not long enough' {
        # A VM that settles too slowly must not pass a runbook's "if (-not (Test-VMHealth -Wait -Quiet)) { throw }". Its own
        # check fails the first two looks, so the six looks that fit in the second hold at most four healthy in a row.
        $short = @{ Wait = $true; Timeout = '00:00:01'; Interval = '00:00:00.2'; ConsecutivePasses = 5; WarningAction = 'SilentlyContinue' }
        $global:vmHealthLooks = 0
        $settling = { $global:vmHealthLooks++; $global:vmHealthLooks -gt 2 }
        Test-VMHealth rhel8-brainy-bear @short -HealthCheck $settling -Quiet | Should -BeExactly $false
        $global:vmHealthLooks = 0
        $late = Test-VMHealth rhel8-brainy-bear @short -HealthCheck $settling -WarningVariable warn
        $late.Healthy | Should -BeFalse
        $stable = $late.Checks | Where-Object Name -EQ 'Stable'
        $stable.Status | Should -Be 'Fail'
        $stable.Message | Should -BeLike "Healthy only * looks in a row of the 5 needed (-ConsecutivePasses) when -Timeout 00:00:01 ran out."
        ($late.Checks | Where-Object Name -NE 'Stable').Status | Should -Not -Contain 'Fail'
        $warn[0].Message | Should -BeLike "*rhel8-brainy-bear*Healthy only * looks in a row of the 5 needed within 00:00:01 (* looks); the last look: * checks passed."
        Test-VMHealth rhel8-brainy-bear -Wait -Interval 00:00:00.1 -ConsecutivePasses 2 -Quiet | Should -BeExactly $true
    }

    It 'refuses -Wait parameters without -Wait, and an -HttpUri that is not http(s), changing nothing' {
        $mark = Checkpoint-KubeVirtLab
        { Test-VMHealth rhel8-brainy-bear -ConsecutivePasses 2 } | Should -Throw -ErrorId 'WaitParameterWithoutWait,VmSnapshot.Commands.TestVMHealthCommand'
        { Test-VMHealth rhel8-brainy-bear -Timeout 00:00:05 } | Should -Throw -ErrorId 'WaitParameterWithoutWait,VmSnapshot.Commands.TestVMHealthCommand'
        { Test-VMHealth rhel8-brainy-bear -Wait -GracePeriod 00:00:20 -Timeout 00:00:05 } | Should -Throw -ErrorId 'InvalidGracePeriod,VmSnapshot.Commands.TestVMHealthCommand'
        # Six seconds with a look every two leave room for four looks: five in a row fail even for a healthy VM.
        { Test-VMHealth rhel8-brainy-bear -Wait -Timeout 00:00:06 -Interval 00:00:02 -ConsecutivePasses 5 } |
            Should -Throw -ErrorId 'HealthWaitCannotPass,VmSnapshot.Commands.TestVMHealthCommand' -ExpectedMessage '*leaves room for 4 looks*'
        { Invoke-VMChange rhel8-brainy-bear -ScriptBlock { throw 'never runs' } -HealthTimeout 00:00:06 -HealthInterval 00:00:02 -ConsecutivePasses 5 -Confirm:$false } |
            Should -Throw -ErrorId 'HealthWaitCannotPass,VmSnapshot.Commands.InvokeVMChangeCommand'
        { Invoke-VMChange rhel8-brainy-bear -ScriptBlock { throw 'never runs' } -GracePeriod 00:10:00 -HealthTimeout 00:05:00 -Confirm:$false } |
            Should -Throw -ErrorId 'InvalidGracePeriod,VmSnapshot.Commands.InvokeVMChangeCommand'
        { Test-VMHealth rhel8-brainy-bear -HttpUri 'ftp://example.com/x' } | Should -Throw -ErrorId 'InvalidHttpUri,VmSnapshot.Commands.TestVMHealthCommand'
        Test-VMHealth | Out-Null
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Out-Null   # checking health writes nothing
    }

    # Last: it starts and stops a VM, which the change-set test above must not see.
    It 'waits for a VM that is starting until it is healthy' {
        Test-VMHealth centos-stopped -Quiet | Should -BeFalse
        Invoke-LabApi PUT 'apis/subresources.kubevirt.io/v1/namespaces/vms/virtualmachines/centos-stopped/start' '{}' | Out-Null
        try {
            $health = Test-VMHealth centos-stopped -Wait -Interval 00:00:00.2 -ConsecutivePasses 2 -Timeout 00:00:30 -SkipCheck AgentConnected, GuestAddress
            $health.Healthy | Should -BeTrue
            ($health.Checks | Where-Object Name -EQ 'Running').Status | Should -Be 'Pass'
        }
        finally { Invoke-LabApi PUT 'apis/subresources.kubevirt.io/v1/namespaces/vms/virtualmachines/centos-stopped/stop' '{}' | Out-Null }
    }
}

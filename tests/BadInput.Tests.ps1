# Bad input against every cmdlet that takes a name, namespace or label: each must be refused with a clear error and
# change nothing. Values that could steer a request elsewhere ("vm/status", "?x=1", "../") must not even be sent.
BeforeDiscovery {
    # Names that are not Kubernetes names; those marked Steer would address another path or selector if sent.
    $script:badNames = @(
        @{ Value = ''; Steer = $false }
        @{ Value = '   '; Steer = $false }
        @{ Value = "`t"; Steer = $false }
        @{ Value = 'rhel8-brainy-bear/status'; Steer = $true }
        @{ Value = 'vm/status'; Steer = $true }
        @{ Value = '?x=1'; Steer = $true }
        @{ Value = 'rhel8-brainy-bear?watch=true'; Steer = $true }
        @{ Value = 'a#frag'; Steer = $true }
        @{ Value = 'a%2Fb'; Steer = $true }
        @{ Value = 'a,b'; Steer = $true }
        @{ Value = 'a=b'; Steer = $true }
        @{ Value = '!x'; Steer = $true }
        @{ Value = '..'; Steer = $true }
        @{ Value = '../../api/v1/namespaces/vms'; Steer = $true }
        @{ Value = 'a b'; Steer = $true }
        @{ Value = 'ünïcödé'; Steer = $true }
        @{ Value = '-leading'; Steer = $false }
        @{ Value = 'trailing-'; Steer = $false }
        @{ Value = ('x' * 254); Steer = $false }
        @{ Value = '[abc'; Steer = $false }
    )
    $script:forms = @(
        @{ Form = 'Get-KubeVirtVM -Name {0}' }
        @{ Form = 'Get-VMSnapshot -Name {0}' }
        @{ Form = 'Get-VMSnapshot -VMName {0}' }
        @{ Form = 'New-VMSnapshot -VMName {0} -Name bad-input-probe -NoWait' }
        @{ Form = 'Remove-VMSnapshot -Name {0} -Confirm:$false' }
        @{ Form = 'Remove-VMSnapshot -VMName {0} -KeepLast 1 -Confirm:$false' }
        @{ Form = 'Restore-VMSnapshot -Name {0} -Confirm:$false' }
        @{ Form = 'Wait-VMSnapshot -Name {0} -Timeout 00:00:02' }
        @{ Form = 'Test-GuestQuiesce -VMName {0}' }
        @{ Form = 'New-VMClone -VMName {0} -Name bad-input-clone -Confirm:$false -NoWait' }
        @{ Form = 'Get-VMSnapshot -Namespace {0}' }
    )
}

BeforeAll {
    . "$PSScriptRoot/common.ps1"
    Import-Module $ModuleManifest -Force
    $lab = Start-KubeVirtLab -Name 'bad-input' -Connect

    function Invoke-BadInput {
        <# Runs one command line with one value; returns what happened: errors, requests sent and the change set. #>
        param([string] $Form, [object] $Value)
        $mark = Checkpoint-KubeVirtLab
        $requestsBefore = $lab.RequestCount
        $errors = [System.Collections.Generic.List[System.Management.Automation.ErrorRecord]]::new()
        $command = [scriptblock]::Create(($Form -f '$value'))
        try {
            & $command -ErrorAction SilentlyContinue -ErrorVariable +err 2>$null | Out-Null
        }
        catch { $errors.Add($_) }
        foreach ($e in @($err)) { if ($e -is [System.Management.Automation.ErrorRecord]) { $errors.Add($e) } }
        [pscustomobject]@{
            Form     = $Form -f "'$Value'"
            Errors   = $errors
            Requests = $lab.RequestCount - $requestsBefore
            Changes  = @(Get-KubeVirtLabChange -Since $mark -ExcludeKind Event)
        }
    }

    function Get-Verdict($Outcome) {
        # Refused: at least one error, every error has a stable id (not a .NET exception type) and a message.
        if ($Outcome.Changes.Count) { return 'changed' }
        if (-not $Outcome.Errors.Count) { return 'unclear' }
        foreach ($e in $Outcome.Errors) {
            $id = $e.FullyQualifiedErrorId.Split(',')[0]
            if ($id -match '^System\.|Exception$' -or -not $e.Exception.Message) { return 'unclear' }
        }
        'refused'
    }
}

AfterAll {
    $lab | Stop-KubeVirtLab -Confirm:$false
    Disconnect-KubeVirt
}

Describe 'Bad input is refused and changes nothing: <Form>' -ForEach $forms {
    It 'refuses every bad name with a stable ErrorId, sends nothing that could be steered and changes nothing' {
        $report = foreach ($case in $badNames) {
            $outcome = Invoke-BadInput -Form $Form -Value $case.Value
            $verdict = Get-Verdict $outcome
            if ($case.Steer -and $outcome.Requests -gt 0) { $verdict = 'sent' }
            [pscustomobject]@{ Verdict = $verdict; Form = $outcome.Form; Ids = ($outcome.Errors.FullyQualifiedErrorId -join '; ') }
        }
        $bad = @($report | Where-Object Verdict -ne 'refused')
        $counts = $report | Group-Object Verdict | ForEach-Object { "$($_.Count) $($_.Name)" }
        Write-Host "  $Form : $($counts -join ', ')"
        $bad | ForEach-Object { "$($_.Verdict): $($_.Form) -> $($_.Ids)" } | Should -BeNullOrEmpty
        $report.Count | Should -Be $badNames.Count
    }
}

Describe 'Bad namespaces and labels' {
    It 'refuses a bad -Namespace on <_> and sends nothing' -ForEach @(
        'Bad NS!', 'vms/../../api/v1/namespaces/vms', '..', 'a.b', 'kube system', ('n' * 64)
    ) {
        $outcome = Invoke-BadInput -Form 'Get-KubeVirtVM -Namespace {0}' -Value $_
        $outcome.Requests | Should -Be 0
        $outcome.Errors.Count | Should -Be 1
        $outcome.Errors[0].FullyQualifiedErrorId | Should -Be 'ParameterArgumentValidationError,VmSnapshot.Commands.GetKubeVirtVMCommand'
    }

    It 'refuses Connect-KubeVirt -Namespace <_> and keeps the session connection' -ForEach @('Bad NS!', 'vms/../kube-system') {
        $before = Get-KubeVirtVM | Measure-Object
        { Connect-KubeVirt -Kubeconfig $lab.KubeconfigPath -Namespace $_ -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,VmSnapshot.Commands.ConnectKubeVirtCommand'
        (Get-KubeVirtVM | Measure-Object).Count | Should -Be $before.Count
    }

    It 'refuses a kubeconfig whose namespace is not a namespace' {
        $kubeconfig = Join-Path $TestDrive 'bad-namespace.kubeconfig'
        (Get-Content $lab.KubeconfigPath -Raw) -replace "namespace: 'vms'", "namespace: 'vms/../kube-system'" | Set-Content $kubeconfig
        $err = $null
        try { Connect-KubeVirt -Kubeconfig $kubeconfig -ErrorAction Stop } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -Be 'KubeconfigInvalid,VmSnapshot.Commands.ConnectKubeVirtCommand'
        $err.Exception.Message | Should -BeLike "*'vms/../kube-system', which is not a valid namespace*-Namespace*"
        Connect-KubeVirt -Kubeconfig $lab.KubeconfigPath
    }

    It 'refuses a label value that would add a second requirement: <_.Key>=<_.Value>' -ForEach @(
        @{ Key = 'app'; Value = 'web,x!=y' }
        @{ Key = 'app'; Value = 'a b' }
        @{ Key = 'bad key'; Value = 'web' }
        @{ Key = 'a/b/c'; Value = 'web' }
        @{ Key = 'app'; Value = ('v' * 64) }
    ) {
        $outcome = Invoke-BadInput -Form 'Get-KubeVirtVM -Label {0}' -Value @{ $_.Key = $_.Value }
        $outcome.Requests | Should -Be 0
        $outcome.Errors.Count | Should -Be 1
        $outcome.Errors[0].FullyQualifiedErrorId | Should -Be 'InvalidLabel,VmSnapshot.Commands.GetKubeVirtVMCommand'
    }

    It 'still selects by a valid label' {
        (Get-KubeVirtVM -Label @{ 'kubevirt.io/os' = 'no-such-os' }) | Should -BeNullOrEmpty
    }
}

Describe 'Boundary values of times and counts' {
    It 'refuses <Form> with a stable ErrorId and changes nothing' -ForEach @(
        @{ Form = 'Remove-VMSnapshot -VMName * -KeepLast -1 -Confirm:$false' }
        @{ Form = 'Remove-VMSnapshot -VMName * -OlderThan ''-1d'' -Confirm:$false' }
        @{ Form = 'Remove-VMSnapshot -VMName * -OlderThan ''0d'' -Confirm:$false' }
        @{ Form = 'Remove-VMSnapshot -VMName * -OlderThan ([datetime]::Now.AddDays(1)) -Confirm:$false' }
        @{ Form = 'Remove-VMSnapshot -VMName * -OlderThan ([timespan]::MaxValue) -Confirm:$false' }
        @{ Form = 'Remove-VMSnapshot -Name x -Wait -Timeout 0 -Confirm:$false' }
        @{ Form = 'Get-VMSnapshot -Latest 0' }
        @{ Form = 'Get-VMSnapshot -Latest -1' }
        @{ Form = 'Get-VMSnapshot -OlderThan ''-7d''' }
        @{ Form = 'New-VMSnapshot centos-stopped -Name boundary -ThrottleLimit 0' }
        @{ Form = 'New-VMSnapshot centos-stopped -Name boundary -Timeout 0' }
        @{ Form = 'New-VMSnapshot centos-stopped -Name boundary -Timeout ([timespan]::FromDays(25))' }
        @{ Form = 'New-VMSnapshot centos-stopped -Name boundary -FailureDeadline -00:00:01' }
        @{ Form = 'New-VMSnapshot centos-stopped -Name boundary -ExpiresAfter 0' }
        @{ Form = 'Wait-VMSnapshot -Name x -Timeout -00:00:01' }
        @{ Form = 'Restore-VMSnapshot -Name x -Timeout 0 -Confirm:$false' }
        @{ Form = 'New-VMClone -VMName centos-stopped -Name boundary-clone -Timeout 0 -Confirm:$false' }
        @{ Form = 'Test-GuestQuiesce centos-stopped -Trial -TrialHold -00:00:01 -Confirm:$false' }
        @{ Form = 'Test-GuestQuiesce centos-stopped -Trial -TrialHold 01:00:00 -Confirm:$false' }
    ) {
        $outcome = Invoke-BadInput -Form $Form -Value ''
        $outcome.Changes | Should -BeNullOrEmpty
        $outcome.Errors.Count | Should -Be 1
        Get-Verdict $outcome | Should -Be 'refused'
    }

    It 'names the user''s own number when an unquoted 11d arrives as the number 11' {
        { Get-VMSnapshot -OlderThan 11d -ErrorAction Stop } | Should -Throw "*'11' is a number, not an age: without quotes PowerShell reads 11d as the decimal number 11. Quote a short age ('11d', *"
    }

    It 'quotes the age the user typed when it refuses it (<Age>)' -ForEach @(
        @{ Age = '0d' }
        @{ Age = '-00:30:00' }
    ) {
        { Get-VMSnapshot -OlderThan $Age -ErrorAction Stop } | Should -Throw "*An age of '$Age' is not allowed*positive age*"
    }
}

Describe 'Objects of another type piped where names are expected' {
    It 'refuses a piped <Name> as what it is, into <Command>, sending nothing' -ForEach @(
        @{ Name = 'process'; Make = { Get-Process -Id $PID }; Command = 'New-VMSnapshot -Name piped-probe' }
        @{ Name = 'date'; Make = { Get-Date }; Command = 'New-VMSnapshot' }
        @{ Name = 'lab object'; Make = { $lab }; Command = 'New-VMSnapshot' }
        @{ Name = 'process'; Make = { Get-Process -Id $PID }; Command = 'Test-GuestQuiesce' }
        @{ Name = 'date'; Make = { Get-Date }; Command = 'Wait-VMSnapshot -Timeout 00:00:02' }
    ) {
        $item = & $Make
        $mark = Checkpoint-KubeVirtLab
        $requests = $lab.RequestCount
        $caught = @()
        $run = [scriptblock]::Create("param(`$item) `$item | $Command -ErrorAction Stop")
        try { & $run $item } catch { $caught += $_ }
        $caught.Count | Should -Be 1
        $caught[0].FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentTransformationError,*'
        $caught[0].Exception.Message | Should -BeLike "*A $($item.GetType().FullName) is not a name*"
        $lab.RequestCount | Should -Be $requests
        Assert-LabChangeSet -Since $mark -Expected @() -IncludeEvents | Out-Null
    }
}

# Every example of every help page and every PowerShell block of README.md runs, as written, against a lab: the
# default scenario unless the example's marker names another (tests/examples/Read-Example.ps1). An example passes when
# it ends without a terminating error and writes no error record; some also say something about their output.
# Examples that are Pester tests run in Invoke-Pester in a fresh pwsh whose PSModulePath holds only the built module,
# as they would for someone who installed the package.
BeforeDiscovery {
    . "$PSScriptRoot/examples/Read-Example.ps1"
    $pages = @(
        foreach ($file in Get-ChildItem "$PSScriptRoot/../docs/en-US/*.md" | Sort-Object Name) {
            @{ Page = $file.BaseName; Examples = @(Read-HelpExample $file.FullName) }
        }
        @{ Page = 'README'; Examples = @(Read-ReadmeExample "$PSScriptRoot/../README.md") }
    )
}

BeforeAll {
    . "$PSScriptRoot/common.ps1"
    Import-Module $ModuleManifest -Force
    $fixtures = Join-Path $PSScriptRoot 'examples'
    $pester = (Get-Module Pester).Path
    # What Install-PSResource leaves: a modules folder that holds VmSnapshot/<version> and nothing else.
    $installed = Join-Path ([IO.Path]::GetTempPath()) "vmsnapshot-examples-$([guid]::NewGuid().ToString('n'))"
    New-Item -ItemType Directory "$installed/VmSnapshot" | Out-Null
    Copy-Item $ModulePath "$installed/VmSnapshot" -Recurse
    # The labs the harness starts run their controllers ten times faster: an example's snapshots, restores and reboots
    # take seconds instead of a minute. Examples that start their own lab get exactly what they ask for.
    $clockSpeed = 10

    # Examples that cannot run against a lab, by nature. Keep this list short: rewrite an example to run where that
    # keeps it true to what a user would do.
    $notRunnable = @{
        'Connect-KubeVirt/Example 3: A runbook with a token from Azure Key Vault' = 'needs Azure (Connect-AzAccount, Key Vault) and a real cluster at api.ocp.example.com'
        'README/Install #1' = 'installs the package that build.ps1 -Task Package makes; that task registers its folder and installs from it the same way (tools/Package.ps1)'
        'README/Connect-KubeVirt / Disconnect-KubeVirt #1' = 'names real clusters (api.ocp.example.com, ./ocp.kubeconfig, the context prod) and a pod''s service account (-InCluster); Connect-KubeVirt.Tests.ps1 covers each form against the lab'
        'README/In an Azure Automation runbook #1' = 'needs Azure (Connect-AzAccount -Identity, Key Vault) and a real cluster at api.ocp.example.com'
        'README/With Azure Update Manager: pre and post events #1' = 'a runbook of an Azure Update Manager event: $MaintenanceRunId comes from the event''s data'
    }

    # How many tests a Pester example holds: all of them must pass. The README's first one is the test file a user
    # writes after Install-PSResource: it runs exactly as written, from a folder outside the repository.
    $pesterTests = @{
        'README/Testing your change scripts with Pester #1' = 2
        'README/Prove your script touched nothing else: lab change sets #1' = 2
        'README/Test a runbook against a flaky cluster #1' = 1
    }

    # Assertions on what an example printed, where they are cheap. $Output is what it wrote to the pipeline.
    $expectations = @{
        'Checkpoint-KubeVirtLab/Example 1: See everything a script changed' = {
            param($Output)
            $changes = @($Output | Where-Object { $_.PSObject.Properties['Change'] })
            ($changes.Kind | Sort-Object) | Should -Be 'VirtualMachineSnapshot', 'VirtualMachineSnapshotContent', 'VolumeSnapshot', 'VolumeSnapshotContent'
            ($changes.Change | Sort-Object -Unique) | Should -Be 'Created'
        }
        'Get-KubeVirtLabChange/Example 3: What happened to claims during a restore' = {
            param($Output)
            $claims = @($Output | Where-Object { $_.Kind -eq 'PersistentVolumeClaim' -and $_.Change -eq 'Created' })
            $claims.Count | Should -BeGreaterThan 0
            @($claims | Where-Object Name -NotLike 'rhel8-copy-*') | Should -BeNullOrEmpty -Because 'the source VM''s claims are not touched'
        }
        'Get-KubeVirtLabFault/Example 1: What the faults did to a run' = {
            param($Output) ($Output | Where-Object Fault -EQ 'error').Injected | Should -Be 2
        }
        'Get-KubeVirtVM/Example 2: Which disks would a snapshot miss, and why' = {
            param($Output) ($Output | Where-Object SnapshotEnabled -EQ $false).Name | Should -Be 'data'
        }
        'Get-VMSnapshot/Example 1: Snapshots in the session''s namespace' = { param($Output) $Output.Count | Should -Be 5 }
        'Invoke-VMChange/Example 1: Patch with a safety net' = { param($Output) $Output.Outcome | Should -Be 'Succeeded' }
        'Invoke-VMChange/Example 4: Azure Update Manager pre and post events' = {
            param($Output) $Output.Outcome | Should -Be 'SnapshotTaken', 'Succeeded'
        }
        'New-VMClone/Example 1: A test copy on the development network' = { param($Output) $Output.VMName | Should -Be 'rhel8-test' }
        'New-VMClone/Example 2: From the snapshot taken before a change' = { param($Output) $Output.VMName | Should -Be 'rhel8-before-upgrade' }
        'Remove-VMSnapshot/Example 6: Delete failed snapshots and wait until they are gone' = {
            param($Output) $Output.Name | Should -Be 'rhel8-brainy-bear-pre-patch'
        }
        'Restore-VMSnapshot/Example 3: Restore beside the original, to inspect the old state' = {
            param($Output)
            $inspect = Get-KubeVirtVM rhel8-inspect
            $inspect.Status | Should -Be 'Stopped'
            $inspect.Volumes.ClaimName | Should -Contain 'rhel8-inspect-rootdisk'
            (Get-KubeVirtVM rhel8-brainy-bear).Volumes.ClaimName | Should -Contain 'rhel8-brainy-bear-rootdisk'
        }
        'Set-KubeVirtLabFault/Example 1: Snapshot every VM while the API server throttles a fifth of the requests' = {
            param($Output)
            ($Output | Where-Object Fault -EQ 'throttle').Injected | Should -BeGreaterThan 0 -Because 'the example shows its throttling'
            @($Output | Where-Object { $_ -is [VmSnapshot.KubeVirtVMSnapshot] }).Count | Should -Be 8 -Because 'every VM gets exactly one snapshot'
        }
        'Set-KubeVirtLabFault/Example 2: The answer to a create is lost, and still only one snapshot is made' = { param($Output) $Output[-1] | Should -Be 1 }
        'Test-GuestQuiesce/Example 5: Accept a disk that is not captured, knowingly' = {
            param($Output) $Output[0].Verdict | Should -Be 'Partial'; $Output[0].NotCapturedVolumes | Should -Be 'data'
        }
        'Test-GuestQuiesce/Example 3: Why is this VM only crash-consistent?' = {
            param($Output) ($Output | Where-Object Status -EQ 'Fail').Name | Should -Contain 'AgentConnected'
        }
        'Test-VMHealth/Example 5: The whole namespace, unhealthy VMs only' = {
            param($Output) ($Output.VMName | Sort-Object) | Should -Be 'app-paused', 'centos-stopped', 'fedora-no-agent'
        }
    }
    # Every expectation names an example that exists (a renamed example must not leave its assertion behind).
    $expectationKeys = @($expectations.Keys) + @($pesterTests.Keys) + @($notRunnable.Keys)

    function Assert-SampleOutput([string[]] $Sample, [string] $Text) {
        # A transcript's sample output must be what the command prints today: the same column headers and the same
        # rows (by their first column; numbers such as a lab's Id left out).
        $split = {
            param([string[]] $Lines)
            $lines = @($Lines | ForEach-Object { $_ -split '\r?\n' } | ForEach-Object TrimEnd | Where-Object { $_ })
            $headers = for ($i = 1; $i -lt $lines.Count; $i++) { if ($lines[$i] -match '^[- ]+$') { ($lines[$i - 1].Trim() -split '\s+') -join ' ' } }
            $rows = $lines | Where-Object { $_ -notmatch '^[- ]+$' } | ForEach-Object { ($_.Trim() -split '\s+')[0] } |
                Where-Object { $_ -notmatch '^\d+$' }
            @{ Headers = @($headers); Rows = @($rows | Sort-Object) }
        }
        $expected = & $split $Sample
        $actual = & $split $Text
        $actual.Headers | Should -Be $expected.Headers -Because "the README shows these columns; the command printed:`n$Text"
        $actual.Rows | Should -Be $expected.Rows -Because "the README shows these rows; the command printed:`n$Text"
    }

    function Assert-ExampleBinds([string] $Code) {
        # What can be checked of an example that cannot run here: it parses, and every command of this module it calls
        # exists and is given only parameters it has (a renamed parameter would otherwise go unnoticed in these).
        $tokens = $null; $parseErrors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref]$tokens, [ref]$parseErrors)
        $parseErrors | Should -BeNullOrEmpty
        $calls = @($ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.CommandAst] }, $true) |
            Where-Object { (Get-Command $_.GetCommandName() -ErrorAction Ignore).Source -eq 'VmSnapshot' })
        foreach ($call in $calls) {
            $command = Get-Command $call.GetCommandName()
            $names = @($command.Parameters.Values | ForEach-Object { $_.Name; $_.Aliases })
            foreach ($parameter in $call.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] }) {
                @($names | Where-Object { $_ -like "$($parameter.ParameterName)*" }).Count |
                    Should -BeGreaterThan 0 -Because "the example gives $($command.Name) -$($parameter.ParameterName), which must be one of its parameters"
            }
        }
    }

    function Start-ExampleLab($Example) {
        $options = @{ Scenario = $Example.Scenario; ClockSpeed = $clockSpeed; UseTls = $Example.Tls }
        if ($Example.Lab) { $options.Name = $Example.Lab }
        Start-KubeVirtLab @options
    }

    function New-ExampleFolder($Example) {
        $folder = Join-Path $TestDrive ([guid]::NewGuid().ToString('n'))
        New-Item -ItemType Directory $folder | Out-Null
        foreach ($file in $Example.Files) { Copy-Item (Join-Path $fixtures $file) $folder }
        $folder
    }

    function Invoke-SessionExample($Example, $Lab, [string] $Folder) {
        # As in a user's session whose kubeconfig points at the lab, connected to it.
        if ($Lab) {
            $env:KUBECONFIG = $Lab.KubeconfigPath
            Connect-KubeVirt -Kubeconfig $Lab.KubeconfigPath
        }
        else { Disconnect-KubeVirt }
        $script = [scriptblock]::Create($Example.Code)
        $Error.Clear()
        Push-Location $Folder
        try {
            $ErrorActionPreference = 'Stop'
            $ConfirmPreference = 'None'   # a ConfirmImpact High example would prompt; a test cannot answer
            $ProgressPreference = 'SilentlyContinue'
            $PSNativeCommandUseErrorActionPreference = $true   # kubectl's exit code counts
            $output = @(& $script 3>$null 4>$null 6>$null)
            $text = $output | Out-String -Width 120   # formatting the output must work too
        }
        finally { Pop-Location }
        [pscustomobject]@{ Output = $output; Text = $text; Errors = @($Error) }
    }

    function Invoke-ServingExample($Example, [string] $Folder) {
        # Runs until Ctrl+C: in a fresh pwsh, until the kubeconfig it writes exists; then kubectl gets the lab's
        # snapshots through it, as the example's remarks say, and the pwsh is stopped.
        $Example.Code -match '-KubeconfigPath\s+(\S+)' | Should -BeTrue -Because 'a serving example names its kubeconfig'
        $kubeconfig = Join-Path $Folder $Matches[1]
        $script = "Set-Location '$Folder'; Import-Module '$ModuleManifest'; `$ErrorActionPreference = 'Stop'`n$($Example.Code)"
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script))
        $pwsh = Get-PwshCommand
        $log = Join-Path $Folder 'serve.log'
        $process = Start-Process -FilePath $pwsh[0] -ArgumentList (@($pwsh | Select-Object -Skip 1) + '-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded) `
            -RedirectStandardError $log -RedirectStandardOutput "$log.out" -PassThru
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not (Test-Path $kubeconfig) -and -not $process.HasExited -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
            $process.HasExited | Should -BeFalse -Because "it serves until Ctrl+C: $(Get-Content $log -Raw)"
            $names = & kubectl --kubeconfig $kubeconfig get vmsnapshots -o name 2>&1
            $LASTEXITCODE | Should -Be 0 -Because "kubectl must reach the lab: $names"
            @($names).Count | Should -Be 5 -Because 'the default scenario holds five snapshots'
        }
        finally { if (-not $process.HasExited) { $process.Kill($true); $process.WaitForExit() } }
    }

    function Invoke-PesterExample($Example, [string] $Folder) {
        $code = $Example.Code
        if ($code -notmatch '(?m)^\s*Describe\s') {
            # A part of a test file: in a Describe, with the lab the README's test file starts ($lab), unless it starts one.
            $body = if ($code -match '(?m)^\s*It\s') { $code } else { "It 'runs' {`n`$ErrorActionPreference = 'Stop'`n$code`n}" }
            $setup = if ($code -match 'Start-KubeVirtLab') { '' } else {
                $name = if ($Example.Lab) { " -Name $($Example.Lab)" } else { '' }
                "BeforeAll { `$lab = Start-KubeVirtLab -Scenario $($Example.Scenario)$name -ClockSpeed $clockSpeed -Connect }`n" +
                "AfterAll { `$lab | Stop-KubeVirtLab -Confirm:`$false }`n"
            }
            $code = "Describe 'the example' {`n$setup$body`n}"
        }
        $file = Join-Path $Folder 'Example.Tests.ps1'
        Set-Content -LiteralPath $file -Value $code
        # Only the built module on PSModulePath (and pwsh's own modules), as for someone who installed the package.
        $modules = $installed + [IO.Path]::PathSeparator + (Join-Path $PSHOME 'Modules')
        $resultFile = Join-Path $Folder 'result.json'
        # The result goes to a file: what the tests print (What if: ..., Write-Host) goes to the child's stdout.
        $script = @"
Set-Location '$Folder'
Import-Module '$pester'
`$configuration = New-PesterConfiguration
`$configuration.Run.Path = '$file'
`$configuration.Run.PassThru = `$true
`$configuration.Output.Verbosity = 'None'
`$result = Invoke-Pester -Configuration `$configuration
[pscustomobject]@{
    Passed = `$result.PassedCount
    Failed = `$result.FailedCount + `$result.FailedBlocksCount + `$result.FailedContainersCount
    Errors = @(`$result.Failed | ForEach-Object { "`$(`$_.ExpandedPath): `$(`$_.ErrorRecord | Out-String)" }) +
        @(`$result.Containers | ForEach-Object { `$_.ErrorRecord | Out-String })
} | ConvertTo-Json -Depth 3 | Set-Content -LiteralPath '$resultFile'
"@
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script))
        $pwsh = Get-PwshCommand
        $saved = $env:PSModulePath, $env:KUBECONFIG
        try {
            $env:PSModulePath = $modules
            $env:KUBECONFIG = $null
            $printed = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -EncodedCommand $encoded 2>&1
        }
        finally { $env:PSModulePath, $env:KUBECONFIG = $saved }
        Test-Path $resultFile | Should -BeTrue -Because "Invoke-Pester must end with a result: $($printed -join "`n")"
        Get-Content -LiteralPath $resultFile -Raw | ConvertFrom-Json
    }
}

AfterAll { Remove-Item $installed -Recurse -Force }

Describe 'The examples of <Page>' -ForEach $pages {
    BeforeAll {
        $state = @{ Shared = $null }   # the lab the page's examples share, started by the first one that needs it
        $savedKubeconfig = $env:KUBECONFIG
    }
    AfterAll {
        Get-KubeVirtLab | Stop-KubeVirtLab -Confirm:$false
        Disconnect-KubeVirt
        $env:KUBECONFIG = $savedKubeconfig
    }

    It '<Title>' -ForEach $Examples {
        if ($notRunnable[$Key]) {
            # Not run (the reason is in $notRunnable), but checked: it parses and binds to this module's parameters.
            Assert-ExampleBinds $Code
            return
        }
        if (($Serve -or $Code -match '\bkubectl\b') -and -not (Get-Command kubectl -ErrorAction Ignore)) {
            Set-ItResult -Skipped -Because 'kubectl is not installed'; return
        }
        $folder = New-ExampleFolder $_

        if ($Serve) {
            Invoke-ServingExample $_ $folder
            return
        }
        if ($IsPester -or $Pwsh) {
            $result = Invoke-PesterExample $_ $folder
            ($result.Errors -join "`n") | Should -BeNullOrEmpty
            $result.Failed | Should -Be 0
            $result.Passed | Should -BeGreaterThan 0 -Because 'its tests ran'
            if ($pesterTests[$Key]) { $result.Passed | Should -Be $pesterTests[$Key] }
            return
        }

        # An example that starts its own lab gets no other; one that needs a scenario of its own, or changes what the
        # page's other examples rely on (marker "fresh"), gets its own; the rest share the page's lab.
        $before = @(Get-KubeVirtLab).Name
        $lab = if ($Code -match 'Start-KubeVirtLab') { $null }
        elseif ($Fresh -or $SampleOutput -or $Scenario -ne 'default' -or $Lab -or $Tls) {
            # A lab of its own (a transcript shows the lab as it starts); alone, so that it gets the name it asks for.
            if ($state.Shared) { $state.Shared | Where-Object Running | Stop-KubeVirtLab -Confirm:$false; $state.Shared = $null }
            Start-ExampleLab $_
        }
        else {
            if (-not $state.Shared -or -not $state.Shared.Running) { $state.Shared = Start-ExampleLab $_; $before += $state.Shared.Name }
            $state.Shared
        }
        try { $result = Invoke-SessionExample $_ $lab $folder }
        finally { Get-KubeVirtLab | Where-Object Name -NotIn $before | Stop-KubeVirtLab -Confirm:$false }

        ($result.Errors | Out-String) | Should -BeNullOrEmpty
        if ($expectations[$Key]) { & $expectations[$Key] $result.Output }
        if ($SampleOutput) { Assert-SampleOutput -Sample $SampleOutput -Text $result.Text }
    }
}

Describe 'The example lists of this file' {
    It 'name only examples that exist' -ForEach @{ Known = @($pages | ForEach-Object { $_.Examples } | ForEach-Object { $_.Key }) } {
        $Known.Count | Should -BeGreaterThan 90
        @($expectationKeys | Where-Object { $_ -notin $Known }) | Should -BeNullOrEmpty
    }
}

#Requires -Version 7.4
<#
.SYNOPSIS
Builds, tests, packages and demonstrates VmSnapshot.

.DESCRIPTION
Everything the build needs comes from the repository's own files: the .NET SDK, the pinned PowerShell tool
(.config/dotnet-tools.json) and NuGet packages (Pester included, see tools/TestTools.proj).

Tasks:
  Build    Publish the module into out/VmSnapshot/<version>/, importable as is.
  Test     Build, run the xunit tests, then Pester against the built module in a fresh pwsh; prints
           "N passed, N failed" and fails on any failure.
  Demo     Build, start the lab and take the tour of the module on it.
  Bench    Build and measure: the lab with 10,000 snapshots (kubectl, KubernetesClient), import and first-call time
           of fresh sessions against a bare pwsh, Get-VMSnapshot -AllNamespaces against a bare paged list and kubectl,
           a 1,000-VM snapshot fleet against one snapshot, and the lab's faults against none.
  Package  Build a PowerShell Gallery nupkg with Publish-PSResource, then install it into a temporary path
           with Install-PSResource and import it, exactly as a user would.

.EXAMPLE
dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'Package')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
if ([Console]::IsOutputRedirected) {
    # CI logs: no ANSI colour codes in error messages and tables.
    $PSStyle.OutputRendering = 'PlainText'
    $env:NO_COLOR = '1'
}
. "$PSScriptRoot/tools/common.ps1"

$manifest = Import-PowerShellDataFile "$PSScriptRoot/module/VmSnapshot.psd1"
$version = $manifest.ModuleVersion
$outRoot = Join-Path $PSScriptRoot 'out'
$modulePath = Join-Path $outRoot "VmSnapshot/$version"

function Invoke-Native {
    # Runs a native command and stops the build when it fails.
    param([string] $Description, [scriptblock] $Command)
    Write-Host "==> $Description" -ForegroundColor Cyan
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$Description failed (exit code $LASTEXITCODE)." }
}

function Invoke-Build {
    if (Test-Path $modulePath) { Remove-Item $modulePath -Recurse -Force }
    $binPath = Join-Path $modulePath 'bin/net8.0'
    Invoke-Native 'Publishing the module assemblies' {
        dotnet publish "$PSScriptRoot/src/Cmdlets/VmSnapshot.Cmdlets.csproj" --configuration $Configuration `
            --output $binPath --nologo -v:q -p:GenerateDocumentationFile=false
    }
    # The published folder only needs the assemblies; symbols stay for stack traces, docs and deps files do not.
    Get-ChildItem $binPath -Include '*.deps.json', '*.xml' -Recurse | Remove-Item
    Copy-Item "$PSScriptRoot/module/*" $modulePath -Recurse
    # Help is generated from docs/en-US and the built cmdlets, in a separate pwsh so this session never loads
    # the module (a build session that imported it could not rebuild over its locked files on Windows).
    $pwsh = Get-PwshCommand
    & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File "$PSScriptRoot/tools/Build-Help.ps1" `
        -ModulePath $modulePath -DocsPath "$PSScriptRoot/docs/en-US"
    if ($LASTEXITCODE -ne 0) { throw "Building the help failed (exit code $LASTEXITCODE)." }
    Write-Host "Module: $modulePath"
}

function Invoke-UnitTests {
    $results = Join-Path $outRoot 'TestResults'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }
    Write-Host '==> xunit' -ForegroundColor Cyan
    dotnet test "$PSScriptRoot/tests/units/VmSnapshot.Tests.csproj" --configuration $Configuration --nologo `
        --logger 'trx;LogFileName=units.trx' --logger 'console;verbosity=normal' --results-directory $results
    $trx = Join-Path $results 'units.trx'
    if (-not (Test-Path $trx)) { throw 'xunit produced no results (the test project did not build?).' }
    $counters = ([xml](Get-Content $trx -Raw)).TestRun.ResultSummary.Counters
    [pscustomobject]@{
        Passed  = [int]$counters.passed
        Failed  = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        Skipped = [int]$counters.total - [int]$counters.executed
    }
}

function Invoke-PesterTests {
    Write-Host '==> Pester (fresh pwsh per shard, built module)' -ForegroundColor Cyan
    $pester = Join-Path (Get-NuGetPackageFolder) 'pester/6.2.0/tools/Pester.psd1'
    if (-not (Test-Path $pester)) { throw "Pester 6.2.0 was not restored to $pester." }
    $results = Join-Path $outRoot 'TestResults'
    $null = New-Item -ItemType Directory -Force -Path $results
    # Two shards run side by side: the tests mostly wait on the lab's clock, not on the CPU, so two fresh pwsh
    # processes halve the wall time on 2 cores. The examples file (every help and README example, many of them waiting
    # as an admin would) is about half of the whole, so it is one shard and every other file the other.
    $all = @(Get-ChildItem "$PSScriptRoot/tests" -Filter '*.Tests.ps1' | Sort-Object Name)
    $shards = @(@(
            , @($all | Where-Object Name -EQ 'Examples.Tests.ps1')
            , @($all | Where-Object Name -NE 'Examples.Tests.ps1')
        ) | Where-Object { $_.Count -gt 0 })
    $pwsh = Get-PwshCommand
    $runs = for ($i = 0; $i -lt @($shards).Count; $i++) {
        $summary = Join-Path $results "pester-summary-$i.json"
        $log = Join-Path $results "pester-$i.log"
        Remove-Item $summary, $log -ErrorAction SilentlyContinue
        $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', "$PSScriptRoot/tools/PesterTest.ps1",
            '-PesterPath', $pester, '-ModulePath', $modulePath, '-SummaryPath', $summary,
            '-TestPath', ($shards[$i].FullName -join [IO.Path]::PathSeparator))
        # A thread job runs the native pwsh, so PowerShell quotes each argument (paths with spaces included).
        $exe = $pwsh[0]
        [pscustomobject]@{
            Summary = $summary; Log = $log
            Job     = Start-ThreadJob { $arguments = $using:arguments; & $using:exe @arguments *> $using:log }
        }
    }
    $totals = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0 }
    foreach ($run in $runs) {
        $null = $run.Job | Wait-Job
        $run.Job | Remove-Job
        Get-Content $run.Log -ErrorAction SilentlyContinue | Out-Host
        if (-not (Test-Path $run.Summary)) {
            Write-Host "Pester produced no summary for $($run.Log) (the run crashed?)." -ForegroundColor Red
            $totals.Failed++
            continue
        }
        $shard = Get-Content $run.Summary -Raw | ConvertFrom-Json
        $totals.Passed += $shard.Passed; $totals.Failed += $shard.Failed; $totals.Skipped += $shard.Skipped
    }
    [pscustomobject]$totals
}

# One style for the solution (.editorconfig): counted as one check, so a style slip fails the Test task like a test.
function Test-CodeStyle {
    Write-Host '==> Checking the code style (dotnet format --verify-no-changes)'
    dotnet format "$PSScriptRoot/VmSnapshot.PowerShell.sln" --verify-no-changes --severity warn | Out-Host
    return $LASTEXITCODE -eq 0
}

function Invoke-Test {
    Invoke-Native 'Restoring test tools (Pester, YamlDotNet 11 for the isolation tests)' {
        dotnet restore "$PSScriptRoot/tools/TestTools.proj" --nologo -v:q
    }
    Invoke-Build
    $style = Test-CodeStyle
    $unit = Invoke-UnitTests
    $pester = Invoke-PesterTests
    $passed = $unit.Passed + $pester.Passed + [int]$style
    $failed = $unit.Failed + $pester.Failed + [int](-not $style)
    Write-Host ("style: $(if ($style) { 'as .editorconfig says' } else { 'FAILED (run: dotnet format VmSnapshot.PowerShell.sln --severity warn)' }); " +
        "xunit: $($unit.Passed) passed, $($unit.Failed) failed, $($unit.Skipped) skipped; " +
        "Pester: $($pester.Passed) passed, $($pester.Failed) failed, $($pester.Skipped) skipped")
    # The last line is the CI's summary: totals of xunit and Pester.
    Write-Output "$passed passed, $failed failed"
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    $pwsh = Get-PwshCommand
    & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File "$PSScriptRoot/tools/Demo.ps1" `
        -ModulePath $modulePath
    if ($LASTEXITCODE -ne 0) { throw "The demo failed (exit code $LASTEXITCODE)." }
}

function Invoke-Bench {
    Invoke-Native 'Restoring test tools' { dotnet restore "$PSScriptRoot/tools/TestTools.proj" --nologo -v:q }
    Invoke-Build
    Invoke-Native 'The lab: 10,000 snapshots, kubectl and KubernetesClient (tools/LabBench)' {
        dotnet run --project "$PSScriptRoot/tools/LabBench/LabBench.csproj" --configuration Release --nologo -v:q
    }
    $pwsh = Get-PwshCommand
    & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File "$PSScriptRoot/tools/Bench.ps1" `
        -ModulePath $modulePath
    if ($LASTEXITCODE -ne 0) { throw "The benchmark failed (exit code $LASTEXITCODE)." }
}

function Invoke-Package {
    Invoke-Build
    $pwsh = Get-PwshCommand
    # Install-PSResource writes to the CurrentUser scope under HOME. The check runs with a throwaway HOME so it
    # installs exactly as a user would without touching this machine's modules or repository list.
    $savedHome = $env:HOME
    $savedXdg = @{}
    $throwawayHome = Join-Path ([IO.Path]::GetTempPath()) "vmsnapshot-package-home-$PID"
    New-Item -ItemType Directory -Force $throwawayHome | Out-Null
    try {
        if (-not $IsWindows) {
            # PSResourceGet and NuGet write their state under HOME, or under XDG_* when those are set: send both to the
            # throwaway folder so nothing lands in the user's profile or in this tree.
            $env:HOME = $throwawayHome
            foreach ($name in 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME') {
                $savedXdg[$name] = [Environment]::GetEnvironmentVariable($name)
                [Environment]::SetEnvironmentVariable($name, (Join-Path $throwawayHome $name))
            }
        }
        & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File "$PSScriptRoot/tools/Package.ps1" `
            -ModulePath $modulePath -OutputPath $outRoot
        if ($LASTEXITCODE -ne 0) { throw "Packaging failed (exit code $LASTEXITCODE)." }
    }
    finally {
        $env:HOME = $savedHome
        foreach ($name in $savedXdg.Keys) { [Environment]::SetEnvironmentVariable($name, $savedXdg[$name]) }
        Remove-Item $throwawayHome -Recurse -Force -ErrorAction SilentlyContinue
    }
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Bench' { Invoke-Bench }
    'Package' { Invoke-Package }
}

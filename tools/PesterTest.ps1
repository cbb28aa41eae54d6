<#
.SYNOPSIS
Runs the Pester tests against the built module. build.ps1 starts this in a fresh pwsh (-NoProfile
-NonInteractive) so nothing from the build session leaks into the tests.
#>
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string[]] $TestPath,
    [Parameter(Mandatory)] [string] $SummaryPath
)

$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -Force

# The tests import the module from here (tests/common.ps1), never from a PSModulePath that might hold another copy.
$env:VMSNAPSHOT_MODULE_PATH = $ModulePath

$configuration = New-PesterConfiguration
# build.ps1 passes a shard's files as one argument, joined like PATH.
$configuration.Run.Path = @($TestPath | ForEach-Object { $_ -split [regex]::Escape([IO.Path]::PathSeparator) } | Where-Object { $_ })
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputFormat = 'NUnitXml'
$configuration.TestResult.OutputPath = [IO.Path]::ChangeExtension($SummaryPath, '.xml')

$result = Invoke-Pester -Configuration $configuration

# A container or block that failed before its tests ran counts as a failure too, or a broken BeforeAll would look green.
[ordered]@{
    Passed  = $result.PassedCount
    Failed  = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Skipped = $result.SkippedCount + $result.NotRunCount
} | ConvertTo-Json | Set-Content -LiteralPath $SummaryPath

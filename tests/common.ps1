# Shared by the Pester tests: where the built module is, and how to run code in a fresh pwsh.
. "$PSScriptRoot/../tools/common.ps1"

$script:ModulePath = $env:VMSNAPSHOT_MODULE_PATH
if (-not $script:ModulePath) {
    # Running a test file by hand: use the build output.
    $script:ModulePath = Get-ChildItem "$PSScriptRoot/../out/VmSnapshot" -Directory | Sort-Object Name | Select-Object -Last 1 -ExpandProperty FullName
}
$script:ModuleManifest = Join-Path $script:ModulePath 'VmSnapshot.psd1'

function Invoke-FreshPwsh {
    <#
    .SYNOPSIS
    Runs a script in a new pwsh process (no profile, non-interactive) and returns its output converted from JSON.
    The script's last output is serialised with ConvertTo-Json -Depth 5; errors fail the child with exit code 1.
    #>
    param(
        [Parameter(Mandatory)] [string] $Script,
        [hashtable] $Environment = @{}
    )
    $wrapped = @"
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
try {
    `$result = & { $Script }
    ConvertTo-Json -InputObject `$result -Depth 5 -Compress
}
catch {
    [Console]::Error.WriteLine((`$_ | Out-String))
    exit 1
}
"@
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($wrapped))
    $pwsh = Get-PwshCommand
    $saved = @{}
    foreach ($name in $Environment.Keys) {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
        [Environment]::SetEnvironmentVariable($name, $Environment[$name])
    }
    try {
        $errorFile = New-TemporaryFile
        $output = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -EncodedCommand $encoded 2>$errorFile
        $exitCode = $LASTEXITCODE
        $stderr = Get-Content $errorFile -Raw
        Remove-Item $errorFile
    }
    finally {
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    }
    if ($exitCode -ne 0) { throw "The child pwsh failed (exit $exitCode): $stderr" }
    ($output -join "`n") | ConvertFrom-Json
}

function New-ScenarioFile {
    <# Writes a scenario (multi-document YAML) to a file in TestDrive and returns its path. #>
    param([Parameter(Mandatory)] [string[]] $Document, [string] $Name = "scenario-$([guid]::NewGuid().ToString('n')).yaml")
    $path = Join-Path $TestDrive $Name
    Set-Content -LiteralPath $path -Value ($Document -join "`n---`n")
    $path
}

function New-SnapshotManifest {
    <#
    .SYNOPSIS
    A VirtualMachineSnapshot shaped as a real cluster has it, for scenario files.
    .DESCRIPTION
    metadata.creationTimestamp is -CreationTime. Only a Succeeded snapshot has status.creationTime (KubeVirt sets it
    when the content is cut, pkg/storage/snapshot/snapshot.go), so a Failed one orders by its object's time, as on a
    real cluster. -Labels and -Annotations go on metadata.
    #>
    param(
        [Parameter(Mandatory)] [string] $Name,
        [Parameter(Mandatory)] [string] $Namespace,
        [Parameter(Mandatory)] [string] $VMName,
        [string] $Phase = 'Succeeded',
        [string[]] $Indications = @('Online', 'GuestAgent'),
        [string] $CreationTime = '2026-11-20T10:00:05Z',
        [hashtable] $Labels = @{},
        [hashtable] $Annotations = @{}
    )
    $ready = if ($Phase -eq 'Succeeded') { 'true' } else { 'false' }
    $indicationYaml = ($Indications | ForEach-Object { "    - $_" }) -join "`n"
    $map = {
        param([hashtable] $Pairs, [string] $Key)
        if (-not $Pairs.Count) { return '' }
        "  ${Key}:`n" + (($Pairs.GetEnumerator() | Sort-Object Key | ForEach-Object { "    '$($_.Key)': '$($_.Value)'" }) -join "`n") + "`n"
    }
    $cutTime = if ($Phase -eq 'Succeeded') { "  creationTime: `"$CreationTime`"`n" } else { '' }
    @"
apiVersion: snapshot.kubevirt.io/v1beta1
kind: VirtualMachineSnapshot
metadata:
  name: $Name
  namespace: $Namespace
  creationTimestamp: "$CreationTime"
$(& $map $Labels 'labels')$(& $map $Annotations 'annotations')spec:
  source:
    apiGroup: kubevirt.io
    kind: VirtualMachine
    name: $VMName
status:
  phase: $Phase
  readyToUse: $ready
$cutTime  indications:
$indicationYaml
"@
}

function Assert-LabChangeSet {
    <#
    .SYNOPSIS
    Asserts the complete set of changes a lab saw since a checkpoint (Checkpoint-KubeVirtLab).
    .DESCRIPTION
    Every change (as "<Change> <Kind> <namespace>/<name>", e.g. "Deleted PersistentVolumeClaim vms/rootdisk") must match
    one of the -Expected wildcard patterns, and every pattern must match at least one change. -Expected @() asserts
    that nothing changed. Events are left out unless -IncludeEvents: controllers record them as a real cluster does.
    Returns the changes, for assertions on ChangedPaths.
    #>
    param(
        [Parameter(Mandatory)] $Since,
        [Parameter(Mandatory)] [AllowEmptyCollection()] [string[]] $Expected,
        [switch] $IgnoreStatus,
        [switch] $IncludeEvents,
        [string[]] $ExcludeKind = @()
    )
    $exclude = @($ExcludeKind) + @(if (-not $IncludeEvents) { 'Event' }) | Where-Object { $_ }
    $query = @{ Since = $Since; IgnoreStatus = $IgnoreStatus }
    if ($exclude) { $query.ExcludeKind = $exclude }
    $changes = @(Get-KubeVirtLabChange @query)
    $lines = @($changes | ForEach-Object { $_.ToString() })
    $unexpected = @($lines | Where-Object { $line = $_; -not ($Expected | Where-Object { $line -like $_ }) })
    $missing = @($Expected | Where-Object { $pattern = $_; -not ($lines | Where-Object { $_ -like $pattern }) })
    if ($unexpected.Count -or $missing.Count) {
        $detail = $changes | ForEach-Object {
            if ($_.ChangedPaths.Count) { "  $_ ($($_.ChangedPaths -join ', '))" } else { "  $_" }
        }
        throw ("The lab's change set is not the expected one.`nUnexpected: $($unexpected -join '; ')`n" +
            "Expected but missing: $($missing -join '; ')`nAll changes:`n$($detail -join "`n")")
    }
    $changes
}

function Wait-LabVolumeGone {
    <#
    .SYNOPSIS
    True once the PersistentVolume is gone from the lab, false after -Seconds. The PV controller deletes the volume of
    a deleted or replaced claim (reclaimPolicy Delete) on its own, after the cmdlet that replaced the claim returned.
    #>
    param([Parameter(Mandatory)] $Lab, [Parameter(Mandatory)] [string] $Name, [int] $Seconds = 10)
    $token = [System.Net.NetworkCredential]::new('', $Lab.GetToken()).Password
    $deadline = [datetime]::UtcNow.AddSeconds($Seconds)
    do {
        $volumes = Invoke-RestMethod -Uri "$($Lab.Server)api/v1/persistentvolumes" -Headers @{ Authorization = "Bearer $token" }
        $gone = -not $volumes.items.Where({ $_.metadata.name -eq $Name })
        if (-not $gone) { Start-Sleep -Milliseconds 50 }
    } until ($gone -or [datetime]::UtcNow -gt $deadline)
    $gone
}

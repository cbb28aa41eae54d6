<#
.SYNOPSIS
Builds the PowerShell Gallery nupkg with PSResourceGet and proves it installs and imports, exactly as a user would
get it. Run through build.ps1 -Task Package, which gives this script a throwaway HOME on Linux and macOS.
#>
param([Parameter(Mandatory)] [string] $ModulePath, [Parameter(Mandatory)] [string] $OutputPath)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$feed = Join-Path $OutputPath 'nupkg'
$repositoryName = "VmSnapshotLocal-$PID"
if (Test-Path $feed) { Remove-Item $feed -Recurse -Force }
New-Item -ItemType Directory $feed | Out-Null

Register-PSResourceRepository -Name $repositoryName -Uri $feed -Trusted
$saveRoot = Join-Path ([IO.Path]::GetTempPath()) "vmsnapshot-install-$PID"
try {
    Publish-PSResource -Path $ModulePath -Repository $repositoryName
    $package = Get-ChildItem $feed -Filter 'VmSnapshot.*.nupkg' | Select-Object -First 1
    if (-not $package) { throw "Publish-PSResource produced no nupkg in $feed." }
    Write-Host "Package: $($package.FullName)"

    if ($IsWindows) {
        # On Windows the CurrentUser scope is the real Documents folder; save into a temporary path instead.
        New-Item -ItemType Directory $saveRoot | Out-Null
        Save-PSResource -Name VmSnapshot -Repository $repositoryName -Path $saveRoot -TrustRepository
        $installed = Get-ChildItem $saveRoot -Recurse -Filter 'VmSnapshot.psd1' | Select-Object -First 1
    }
    else {
        Install-PSResource -Name VmSnapshot -Repository $repositoryName -Scope CurrentUser -TrustRepository
        $installed = Get-InstalledPSResource -Name VmSnapshot -Scope CurrentUser |
            ForEach-Object { Get-Item (Join-Path $_.InstalledLocation "VmSnapshot/$($_.Version)/VmSnapshot.psd1") }
    }
    if (-not $installed) { throw 'The installed package holds no VmSnapshot.psd1.' }

    Import-Module $installed.FullName
    $lab = Start-KubeVirtLab -Connect
    try {
        $count = @(Get-VMSnapshot).Count
        Write-Host "Installed $($installed.Directory), imported it; Get-VMSnapshot returned $count snapshot(s) from the lab."
        if ($count -eq 0) { throw 'The installed module returned no snapshots from the lab.' }
    }
    finally {
        $lab | Stop-KubeVirtLab -Confirm:$false
    }
}
finally {
    Unregister-PSResourceRepository -Name $repositoryName
    if (Test-Path $saveRoot) { Remove-Item $saveRoot -Recurse -Force }
}

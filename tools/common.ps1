# Helpers shared by build.ps1 and the Pester tests. Dot-source it.

function Get-PwshCommand {
    <#
    .SYNOPSIS
    The command line that starts a fresh pwsh of the same version as this one.
    .DESCRIPTION
    Under `dotnet pwsh` (the pinned local tool) the process is dotnet running pwsh.dll, so a child must be started
    the same way; a native pwsh install is started directly.
    #>
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') {
        , @($process, [Environment]::GetCommandLineArgs()[0])
    }
    else {
        , @($process)
    }
}

function Get-NuGetPackageFolder {
    <# The global NuGet package folder (NUGET_PACKAGES or ~/.nuget/packages), where PackageDownload puts tools. #>
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    $line = & dotnet nuget locals global-packages --list
    ($line -replace '^\s*global-packages:\s*', '').Trim()
}

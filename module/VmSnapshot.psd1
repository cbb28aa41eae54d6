@{
    RootModule             = 'VmSnapshot.psm1'
    ModuleVersion          = '0.1.0'
    GUID                   = '6f3c1d2e-8a4b-4c5d-9e7f-0a1b2c3d4e5f'
    Author                 = 'VmSnapshot contributors'
    CompanyName            = 'Community'
    Copyright              = '(c) VmSnapshot contributors. MIT License.'
    Description            = 'Take, list, wait for, restore, clone and delete virtual-machine snapshots on KubeVirt and OpenShift Virtualization from PowerShell, with a built-in lab cluster for testing change scripts without a cluster.'
    PowerShellVersion      = '7.4'
    CompatiblePSEditions   = @('Core')
    FormatsToProcess       = @('VmSnapshot.Format.ps1xml')
    CmdletsToExport        = @(
        'Connect-KubeVirt'
        'Disconnect-KubeVirt'
        'Get-KubeVirtVM'
        'New-VMSnapshot'
        'Get-VMSnapshot'
        'Wait-VMSnapshot'
        'Remove-VMSnapshot'
        'Restore-VMSnapshot'
        'New-VMClone'
        'Test-GuestQuiesce'
        'Test-VMHealth'
        'Invoke-VMChange'
        'Start-KubeVirtLab'
        'Stop-KubeVirtLab'
        'Get-KubeVirtLab'
        'Checkpoint-KubeVirtLab'
        'Get-KubeVirtLabChange'
        'Set-KubeVirtLabFault'
        'Get-KubeVirtLabFault'
    )
    FunctionsToExport      = @()
    VariablesToExport      = @()
    AliasesToExport        = @()
    PrivateData            = @{
        PSData = @{
            Tags         = @('KubeVirt', 'OpenShift', 'Kubernetes', 'Snapshot', 'VirtualMachine', 'Backup', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/vmsnapshot/VmSnapshot.PowerShell'
            LicenseUri   = 'https://github.com/vmsnapshot/VmSnapshot.PowerShell/blob/main/LICENSE'
            ReleaseNotes = 'https://github.com/vmsnapshot/VmSnapshot.PowerShell/blob/main/CHANGELOG.md'
        }
    }
}

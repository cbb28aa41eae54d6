# The lab's claims behave like a real cluster's: a claim in use by a running VM is protected (kubernetes.io/pvc-protection)
# and a delete leaves it Terminating until the VM stops, instead of removing the disk from under the VM.
BeforeAll {
    . "$PSScriptRoot/common.ps1"
    Import-Module $ModuleManifest -Force

    function Invoke-LabApi([string] $Method, [string] $Path) {
        $token = (Select-String -LiteralPath $lab.KubeconfigPath -Pattern "token: '([^']+)'").Matches[0].Groups[1].Value
        Invoke-RestMethod -Method $Method -Uri "$($lab.Server)$Path" -Headers @{ Authorization = "Bearer $token" }
    }

    function Wait-ClaimGone([string] $Name, [int] $Seconds) {
        # True once the claim has left the namespace's list, false when it is still there after $Seconds.
        $deadline = [datetime]::UtcNow.AddSeconds($Seconds)
        do {
            Start-Sleep -Milliseconds 100
            $gone = -not (Invoke-LabApi GET 'api/v1/namespaces/vms/persistentvolumeclaims').items.Where({ $_.metadata.name -eq $Name })
        } until ($gone -or [datetime]::UtcNow -gt $deadline)
        $gone
    }
}

Describe 'Claims in use are protected' {
    BeforeEach { $lab = Start-KubeVirtLab -Name 'storage' -ClockSpeed 20 -Connect }
    AfterEach { $lab | Stop-KubeVirtLab -Confirm:$false; Disconnect-KubeVirt }

    It 'carries kubernetes.io/pvc-protection on every seeded claim' {
        $claims = (Invoke-LabApi GET 'api/v1/namespaces/vms/persistentvolumeclaims').items
        $claims.Count | Should -BeGreaterThan 0
        foreach ($claim in $claims) { $claim.metadata.finalizers | Should -Contain 'kubernetes.io/pvc-protection' }
    }

    It 'keeps a running VM''s claim Terminating on delete, and lets it go once the VM is stopped' {
        $path = 'api/v1/namespaces/vms/persistentvolumeclaims/rhel8-brainy-bear-rootdisk'
        Invoke-LabApi DELETE $path | Out-Null
        Start-Sleep -Milliseconds 500
        $claim = Invoke-LabApi GET $path
        $claim.metadata.deletionTimestamp | Should -Not -BeNullOrEmpty
        $claim.metadata.finalizers | Should -Be @('kubernetes.io/pvc-protection')

        Invoke-LabApi PUT 'apis/subresources.kubevirt.io/v1/namespaces/vms/virtualmachines/rhel8-brainy-bear/stop' | Out-Null
        Wait-ClaimGone rhel8-brainy-bear-rootdisk -Seconds 30 | Should -BeTrue
    }

    It 'lets a claim no VM runs on go at once' {
        Invoke-LabApi DELETE 'api/v1/namespaces/vms/persistentvolumeclaims/centos-stopped-rootdisk' | Out-Null
        Wait-ClaimGone centos-stopped-rootdisk -Seconds 10 | Should -BeTrue
    }
}

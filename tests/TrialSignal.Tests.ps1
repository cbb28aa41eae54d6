# Test-GuestQuiesce -Trial freezes a guest: a scheduler, `docker stop` or systemd ending the session with SIGTERM must
# thaw it at once, not leave it frozen until the cluster's unfreezeTimeout (the hold plus a margin, minutes away).
BeforeAll {
    . "$PSScriptRoot/common.ps1"
    Import-Module $ModuleManifest -Force

    function Get-FreezeStatus([VmSnapshot.KubeVirtLabInfo] $Lab, [string] $VMName) {
        # Read the instance as any client would, with the lab's token from its kubeconfig.
        $token = (Select-String -LiteralPath $Lab.KubeconfigPath -Pattern "token: '([^']+)'").Matches[0].Groups[1].Value
        $vmi = Invoke-RestMethod -Uri "$($Lab.Server)apis/kubevirt.io/v1/namespaces/vms/virtualmachineinstances/$VMName" `
            -Headers @{ Authorization = "Bearer $token" }
        $vmi.status.fsFreezeStatus
    }
}

Describe 'Test-GuestQuiesce -Trial and SIGTERM' -Skip:$IsWindows {
    BeforeAll { $lab = Start-KubeVirtLab -Name 'trial-signal' }
    AfterAll { $lab | Stop-KubeVirtLab -Confirm:$false }

    It 'thaws the guest when the session is terminated in the middle of a held trial' {
        $pwsh = Get-PwshCommand
        $script = "Import-Module '$ModuleManifest'; Connect-KubeVirt -Kubeconfig '$($lab.KubeconfigPath)'; " +
            "Test-GuestQuiesce rhel8-brainy-bear -Trial -TrialHold 00:02:00 -Confirm:`$false"
        $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $script)
        $child = Start-Process -FilePath $pwsh[0] -ArgumentList $arguments -PassThru -RedirectStandardOutput (Join-Path $TestDrive 'out.txt') `
            -RedirectStandardError (Join-Path $TestDrive 'err.txt')
        try {
            $deadline = [datetime]::UtcNow.AddSeconds(60)
            while ((Get-FreezeStatus $lab rhel8-brainy-bear) -ne 'frozen' -and [datetime]::UtcNow -lt $deadline -and -not $child.HasExited) {
                Start-Sleep -Milliseconds 100
            }
            Get-FreezeStatus $lab rhel8-brainy-bear | Should -Be 'frozen' -Because 'the trial holds the freeze for two minutes'

            & kill -TERM $child.Id
            $child.WaitForExit(30000) | Should -BeTrue -Because 'SIGTERM ends the session after the thaw'
            # The hold had almost two minutes to run: only the SIGTERM handler can have thawed the guest by now.
            Get-FreezeStatus $lab rhel8-brainy-bear | Should -BeNullOrEmpty
        }
        finally {
            if (-not $child.HasExited) { $child.Kill() }
        }
    }
}

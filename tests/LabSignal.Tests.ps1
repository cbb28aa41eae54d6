# A lab's kubeconfig holds its admin token. pwsh ends on SIGTERM (kill, docker stop, systemd) without raising
# ProcessExit, so the lab's own clean-up never ran and the file stayed in the temp folder; and Start-KubeVirtLab -Wait
# swallowed the signal, so the script went on after a kill.
BeforeAll {
    . "$PSScriptRoot/common.ps1"

    function Start-LabChild([string] $Body) {
        $pathFile = Join-Path $TestDrive "path-$([guid]::NewGuid().ToString('N')).txt"
        $pwsh = Get-PwshCommand
        $script = "Import-Module '$ModuleManifest'; " + $Body.Replace('PATHFILE', $pathFile)
        $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $script)
        $out = Join-Path $TestDrive "out-$([guid]::NewGuid().ToString('N')).txt"
        $child = Start-Process -FilePath $pwsh[0] -ArgumentList $arguments -PassThru -RedirectStandardOutput $out `
            -RedirectStandardError (Join-Path $TestDrive 'err.txt')
        $deadline = [datetime]::UtcNow.AddSeconds(60)
        while (-not (Test-Path $pathFile) -and [datetime]::UtcNow -lt $deadline -and -not $child.HasExited) { Start-Sleep -Milliseconds 100 }
        Start-Sleep -Milliseconds 300 # the lab is written; let the child reach its wait
        [pscustomobject]@{ Process = $child; Kubeconfig = (Get-Content $pathFile -ErrorAction Stop); Output = $out }
    }
}

Describe 'A lab and SIGTERM' -Skip:$IsWindows {
    It 'deletes the lab''s kubeconfig when the session is killed with SIGTERM' {
        $child = Start-LabChild "`$lab = Start-KubeVirtLab -Scenario empty; Set-Content 'PATHFILE' `$lab.KubeconfigPath; Start-Sleep 120"
        try {
            $child.Kubeconfig | Should -Exist
            & kill -TERM $child.Process.Id
            $child.Process.WaitForExit(30000) | Should -BeTrue -Because 'SIGTERM ends the session'
            $child.Kubeconfig | Should -Not -Exist
        }
        finally {
            if (-not $child.Process.HasExited) { $child.Process.Kill() }
        }
    }

    It 'ends the process on SIGTERM during Start-KubeVirtLab -Wait, after stopping the lab' {
        $body = "Set-Content 'PATHFILE' (Join-Path ([IO.Path]::GetTempPath()) 'signal-wait.kubeconfig'); " +
            "Start-KubeVirtLab -Scenario empty -KubeconfigPath (Get-Content 'PATHFILE') -Force -Wait | Out-Null; 'went on after the kill'"
        $child = Start-LabChild $body
        try {
            $deadline = [datetime]::UtcNow.AddSeconds(30)
            while (-not (Test-Path $child.Kubeconfig) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            $child.Kubeconfig | Should -Exist
            $server = [uri](Select-String -LiteralPath $child.Kubeconfig -Pattern "server: '([^']+)'").Matches[0].Groups[1].Value
            # A TCP connect, not an HTTP request: a lab still serving answers an unauthenticated request with 401, which
            # Invoke-WebRequest throws on as well.
            $listening = { $tcp = [Net.Sockets.TcpClient]::new(); try { $tcp.Connect($server.Host, $server.Port); $true } catch { $false } finally { $tcp.Dispose() } }
            & $listening | Should -BeTrue -Because 'the lab serves until the signal'
            & kill -TERM $child.Process.Id
            $child.Process.WaitForExit(30000) | Should -BeTrue -Because 'SIGTERM ends the process, -Wait or not'
            Get-Content $child.Output -Raw | Should -Not -BeLike '*went on after the kill*'
            & $listening | Should -BeFalse -Because 'the lab is gone with its process'
            $child.Kubeconfig | Should -Exist -Because 'a file named with -KubeconfigPath is the caller''s, also after a kill'
        }
        finally {
            if (-not $child.Process.HasExited) { $child.Process.Kill() }
            Remove-Item $child.Kubeconfig -ErrorAction SilentlyContinue
        }
    }
}

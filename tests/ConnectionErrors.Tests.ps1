# Connection mistakes get an ErrorId a script can match (never a .NET exception type) and a message that says what to
# fix; TLS that is not verified is said out loud, and refused where kubectl refuses it.
BeforeAll {
    . "$PSScriptRoot/common.ps1"
    Import-Module $ModuleManifest -Force
    $token = ConvertTo-SecureString 'not-a-real-token' -AsPlainText -Force
}

Describe 'Connect-KubeVirt refuses what cannot work, with stable ErrorIds' {
    It 'refuses -Server <Server> with <Id>' -ForEach @(
        @{ Server = 'not a uri'; Id = 'InvalidServerUri' }
        @{ Server = 'https://'; Id = 'InvalidServerUri' }
        @{ Server = 'api.example.com'; Id = 'InvalidServerUri' }
        @{ Server = 'api.example.com:6443'; Id = 'InvalidServerUri' }
        @{ Server = 'ftp://api.example.com'; Id = 'InvalidServerUri' }
        @{ Server = '/relative/path'; Id = 'InvalidServerUri' }
    ) {
        $caught = $null
        try { Connect-KubeVirt -Server $Server -Token $token -ErrorAction Stop } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -Be "$Id,VmSnapshot.Commands.ConnectKubeVirtCommand"
        $caught.Exception.Message | Should -BeLike '*not an API server address*https://api.ocp.example.com:6443*'
    }

    It 'refuses -Server <Server> as InvalidServerUri before any request, and never echoes a password' -ForEach @(
        @{ Server = 'https://admin:s3cret@127.0.0.1:1'; Why = 'user name or password' }
        @{ Server = 'ftp://admin:s3cret@127.0.0.1:1'; Why = 'not an API server address' }
        @{ Server = 'admin:s3cret@127.0.0.1:1'; Why = 'not an API server address' }
        @{ Server = 'https://127.0.0.1:1/?token=s3cret'; Why = "'https://127.0.0.1:1/?***' is not an API server address: it has a query" }
        @{ Server = 'https://127.0.0.1:1/#s3cret'; Why = "'https://127.0.0.1:1/#***' is not an API server address: it has a fragment" }
    ) {
        $caught = $null
        try { Connect-KubeVirt -Server $Server -Token $token -ErrorAction Stop } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -Be 'InvalidServerUri,VmSnapshot.Commands.ConnectKubeVirtCommand'
        $caught.Exception.Message | Should -BeLike "*$([WildcardPattern]::Escape($Why))*"
        ($caught | Out-String) + $caught.TargetObject + $caught.Exception.Message | Should -Not -BeLike '*s3cret*'
        $caught.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'refuses <What> with <Id> and ends the session''s previous connection, as every failed connect does' -ForEach @(
        @{ What = 'an empty -Server'; Server = ''; WithToken = $true; Id = 'InvalidServerUri' }
        @{ What = 'a null -Server'; Server = $null; WithToken = $true; Id = 'InvalidServerUri' }
        @{ What = 'a null -Token'; Server = 'https://127.0.0.1:1'; WithToken = $false; Id = 'TokenMissing' }
    ) {
        # A runbook's $env:K8S_SERVER or vault lookup that came back empty: a binding error left the session on the
        # cluster it was connected to before, and the next command ran there.
        $lab = Start-KubeVirtLab -Name 'previous' -Scenario empty -Connect
        try {
            $caught = $null
            try { Connect-KubeVirt -Server $Server -Token $(if ($WithToken) { $token } else { $null }) -ErrorAction Stop } catch { $caught = $_ }
            $caught.FullyQualifiedErrorId | Should -Be "$Id,VmSnapshot.Commands.ConnectKubeVirtCommand"
            $caught.Exception.Message | Should -BeLike '*is empty*Check the * it was read from*'
            { Get-KubeVirtVM -ErrorAction Stop } | Should -Throw -ErrorId 'LastConnectFailed,VmSnapshot.Commands.GetKubeVirtVMCommand'
        }
        finally {
            $lab | Stop-KubeVirtLab -Confirm:$false
            Disconnect-KubeVirt
        }
    }

    It 'suggests the https:// form only for what becomes an address with it' {
        $caught = $null
        try { Connect-KubeVirt -Server 'api.ocp.example.com' -Token $token -ErrorAction Stop } catch { $caught = $_ }
        $caught.Exception.Message | Should -BeLike "*Did you mean 'https://api.ocp.example.com'?*"
        $caught = $null
        try { Connect-KubeVirt -Server 'api.ocp.example.com:6443' -Token $token -ErrorAction Stop } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -Be 'InvalidServerUri,VmSnapshot.Commands.ConnectKubeVirtCommand'
        $caught.Exception.Message | Should -BeLike "*Did you mean 'https://api.ocp.example.com:6443'?*"
        $caught = $null
        try { Connect-KubeVirt -Server 'not a uri' -Token $token -ErrorAction Stop } catch { $caught = $_ }
        $caught.Exception.Message | Should -Not -BeLike '*Did you mean*'
    }

    It 'refuses an empty kubeconfig as KubeconfigInvalid and says what to do' {
        $empty = Join-Path $TestDrive 'empty.kubeconfig'
        Set-Content -LiteralPath $empty -Value ''
        $caught = $null
        try { Connect-KubeVirt -Kubeconfig $empty -ErrorAction Stop } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -Be 'KubeconfigInvalid,VmSnapshot.Commands.ConnectKubeVirtCommand'
        $caught.Exception.Message | Should -BeLike "*'$empty' is empty*"
    }
}

Describe 'TLS that is not verified' {
    BeforeAll {
        $lab = Start-KubeVirtLab -Name 'insecure' -UseTls -Scenario empty
        $withCa = Get-Content -LiteralPath $lab.KubeconfigPath -Raw
    }
    AfterAll { $lab | Stop-KubeVirtLab -Confirm:$false; Disconnect-KubeVirt }

    It 'refuses insecure-skip-tls-verify together with a CA, as kubectl does' {
        $both = Join-Path $TestDrive 'both.kubeconfig'
        $withCa -replace '(?m)^(\s+)server: ', "`$1insecure-skip-tls-verify: true`n`$1server: " | Set-Content -LiteralPath $both
        $caught = $null
        try { Connect-KubeVirt -Kubeconfig $both -ErrorAction Stop } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -Be 'KubeconfigInvalid,VmSnapshot.Commands.ConnectKubeVirtCommand'
        $caught.Exception.Message | Should -BeLike '*specifying a root certificates file with the insecure flag is not allowed*'
    }

    It 'refuses certificate-authority-data that is not a certificate, naming the cluster, before any request' {
        $bad = Join-Path $TestDrive 'bad-ca.kubeconfig'
        $withCa -replace "certificate-authority-data: '?[A-Za-z0-9+/=]+'?", "certificate-authority-data: 'bm90IGEgY2VydA=='" | Set-Content -LiteralPath $bad
        $requests = $lab.RequestCount
        $caught = $null
        try { Connect-KubeVirt -Kubeconfig $bad -ErrorAction Stop } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -Be 'CertificateAuthorityInvalid,VmSnapshot.Commands.ConnectKubeVirtCommand'
        $caught.Exception.Message | Should -BeLike "*certificate-authority-data of cluster 'insecure'*is not a certificate*"
        $lab.RequestCount | Should -Be $requests
    }

    It 'refuses a kubeconfig server address with a password in it, before any request and without echoing it' {
        $withPassword = Join-Path $TestDrive 'password.kubeconfig'
        $withCa -replace "(?m)^(\s+server: '?https://)", '$1admin:s3cret@' | Set-Content -LiteralPath $withPassword
        (Get-Content -LiteralPath $withPassword -Raw) | Should -BeLike '*admin:s3cret@*'
        $requests = $lab.RequestCount
        $caught = $null
        try { Connect-KubeVirt -Kubeconfig $withPassword -ErrorAction Stop } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -Be 'KubeconfigInvalid,VmSnapshot.Commands.ConnectKubeVirtCommand'
        $caught.Exception.Message | Should -BeLike "*names the server 'https://``*``*``*@*user name or password*"
        ($caught | Out-String) + $caught.Exception.Message | Should -Not -BeLike '*s3cret*'
        $lab.RequestCount | Should -Be $requests
    }

    It 'warns once per connection when TLS is not verified' {
        $insecure = Join-Path $TestDrive 'insecure.kubeconfig'
        ($withCa -replace "(?m)^\s+certificate-authority-data: .*\r?\n", '') -replace '(?m)^(\s+)server: ', "`$1insecure-skip-tls-verify: true`n`$1server: " |
            Set-Content -LiteralPath $insecure
        Connect-KubeVirt -Kubeconfig $insecure -WarningVariable warnings -WarningAction SilentlyContinue
        @($warnings).Count | Should -Be 1
        $warnings[0].Message | Should -BeLike '*TLS is not verified*anyone between you and the cluster can read your token*'
        Get-KubeVirtVM -WarningVariable later -WarningAction SilentlyContinue | Out-Null
        @($later).Count | Should -Be 0
    }
}

Describe 'Exec credential plugins' -Skip:$IsWindows {
    BeforeAll {
        $lab = Start-KubeVirtLab -Name 'exec-plugin' -UseTls -Scenario empty
        $labToken = [System.Net.NetworkCredential]::new('', $lab.GetToken()).Password
        $template = Get-Content -LiteralPath $lab.KubeconfigPath -Raw

        function New-PluginKubeconfig([string] $Name, [string] $Script) {
            # A kubeconfig whose user gets its token from a shell-script plugin, as kubelogin or aws eks get-token do.
            $plugin = Join-Path $TestDrive "$Name.sh"
            Set-Content -LiteralPath $plugin -Value "#!/bin/sh`n$Script"
            & chmod +x $plugin
            $exec = "exec:`n      apiVersion: client.authentication.k8s.io/v1`n      command: $plugin`n      interactiveMode: Never"
            $path = Join-Path $TestDrive "$Name.kubeconfig"
            $template -replace "token: '[^']+'", $exec | Set-Content -LiteralPath $path
            $path
        }
    }
    AfterAll { $lab | Stop-KubeVirtLab -Confirm:$false; Disconnect-KubeVirt }

    It 'connects with the token the plugin prints' {
        $kubeconfig = New-PluginKubeconfig good "echo '{`"apiVersion`":`"client.authentication.k8s.io/v1`",`"kind`":`"ExecCredential`",`"status`":{`"token`":`"$labToken`"}}'"
        $connection = Connect-KubeVirt -Kubeconfig $kubeconfig -PassThru
        $connection.Server | Should -Be $lab.Server
        Get-KubeVirtVM -Connection $connection | Should -BeNullOrEmpty   # an empty lab, reached with the plugin's token
    }

    It 'names the exit code and what the plugin said when it fails' {
        $kubeconfig = New-PluginKubeconfig failing "echo 'login required: run oc login first' >&2`nexit 3"
        $caught = $null
        try { Connect-KubeVirt -Kubeconfig $kubeconfig -ErrorAction Stop } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -Be 'CredentialPluginFailed,VmSnapshot.Commands.ConnectKubeVirtCommand'
        $caught.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $caught.Exception.Message | Should -BeLike '*exited with code 3*login required: run oc login first*'
    }

    It 'stops a plugin that hangs after -CredentialTimeout, and kills it' {
        $marker = "vmsnapshot-hang-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
        $kubeconfig = New-PluginKubeconfig $marker "sleep 120 # $marker"
        $elapsed = [System.Diagnostics.Stopwatch]::StartNew()
        $caught = $null
        try { Connect-KubeVirt -Kubeconfig $kubeconfig -CredentialTimeout 00:00:02 -ErrorAction Stop } catch { $caught = $_ }
        $elapsed.Stop()
        $caught.FullyQualifiedErrorId | Should -Be 'CredentialPluginFailed,VmSnapshot.Commands.ConnectKubeVirtCommand'
        $caught.Exception.Message | Should -BeLike '*did not finish within 2 s*'
        $elapsed.Elapsed.TotalSeconds | Should -BeLessThan 20
        Start-Sleep -Milliseconds 300
        @(Get-Process | Where-Object { $_.CommandLine -like "*$marker*" }).Count | Should -Be 0
    }

    It 'stops at once on Ctrl+C while the plugin runs, and kills it' {
        $marker = "vmsnapshot-ctrlc-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
        $kubeconfig = New-PluginKubeconfig $marker "sleep 120 # $marker"
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript({
                param($manifest, $path)
                Import-Module $manifest
                Connect-KubeVirt -Kubeconfig $path -CredentialTimeout 00:02:00
            }).AddArgument($ModuleManifest).AddArgument($kubeconfig)
            $running = $shell.BeginInvoke()
            $deadline = [datetime]::UtcNow.AddSeconds(30)
            while (-not (Get-Process | Where-Object { $_.CommandLine -like "*$marker*" }) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            @(Get-Process | Where-Object { $_.CommandLine -like "*$marker*" }).Count | Should -BeGreaterThan 0 -Because 'the plugin is running'
            $elapsed = [System.Diagnostics.Stopwatch]::StartNew()
            $shell.Stop()   # what Ctrl+C does
            $elapsed.Elapsed.TotalSeconds | Should -BeLessThan 10
            $running.IsCompleted | Should -BeTrue
            Start-Sleep -Milliseconds 300
            @(Get-Process | Where-Object { $_.CommandLine -like "*$marker*" }).Count | Should -Be 0
        }
        finally { $shell.Dispose() }
    }
}

Describe 'A kubeconfig user with a tokenFile' {
    BeforeAll {
        $lab = Start-KubeVirtLab -Name 'token-file' -Scenario empty
        $labToken = [System.Net.NetworkCredential]::new('', $lab.GetToken()).Password
        $template = Get-Content -LiteralPath $lab.KubeconfigPath -Raw
    }
    AfterAll { $lab | Stop-KubeVirtLab -Confirm:$false; Disconnect-KubeVirt }

    It 'reads the token from the file, as kubectl does' {
        $tokenPath = Join-Path $TestDrive 'token'
        Set-Content -LiteralPath $tokenPath -Value $labToken -NoNewline
        $kubeconfig = Join-Path $TestDrive 'token-file.kubeconfig'
        $template -replace "token: '[^']+'", "tokenFile: '$tokenPath'" | Set-Content -LiteralPath $kubeconfig
        $connection = Connect-KubeVirt -Kubeconfig $kubeconfig -PassThru
        Get-KubeVirtVM -Connection $connection | Should -BeNullOrEmpty   # reached with the file's token (a wrong one is a 401)
    }

    It 'names the token file that does not exist' {
        $kubeconfig = Join-Path $TestDrive 'missing-token-file.kubeconfig'
        $template -replace "token: '[^']+'", "tokenFile: '/no/such/dir/token'" | Set-Content -LiteralPath $kubeconfig
        $caught = $null
        try { Connect-KubeVirt -Kubeconfig $kubeconfig -ErrorAction Stop } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -Be 'KubeconfigInvalid,VmSnapshot.Commands.ConnectKubeVirtCommand'
        $caught.Exception.Message | Should -BeLike "*reads its token from the file '/no/such/dir/token' (tokenFile), which does not exist*"
    }
}

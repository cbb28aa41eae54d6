# Connection mistakes get an ErrorId a script can match (never a .NET exception type) and a message that says what to
# fix; TLS that is not verified is said out loud, and refused where kubectl refuses it.
BeforeAll {
    . "$PSScriptRoot/common.ps1"
    Import-Module $ModuleManifest -Force
    $token = ConvertTo-SecureString 'not-a-real-token' -AsPlainText -Force
}

Describe 'Connect-KubeVirt refuses what cannot work, with stable ErrorIds' {
    It 'refuses -Server <Server> with <Id>' -ForEach @(
        @{ Server = 'not a uri'; Id = 'ParameterArgumentTransformationError' }
        @{ Server = 'https://'; Id = 'ParameterArgumentTransformationError' }
        @{ Server = 'ftp://api.example.com'; Id = 'InvalidServerUri' }
        @{ Server = '/relative/path'; Id = 'InvalidServerUri' }
    ) {
        $caught = $null
        try { Connect-KubeVirt -Server $Server -Token $token -ErrorAction Stop } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -Be "$Id,VmSnapshot.Commands.ConnectKubeVirtCommand"
        $caught.Exception.Message | Should -BeLike '*not an API server address*https://api.ocp.example.com:6443*'
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

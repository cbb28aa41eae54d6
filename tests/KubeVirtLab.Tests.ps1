BeforeAll {
    . "$PSScriptRoot/common.ps1"
    Import-Module $ModuleManifest -Force
}

Describe 'Start-KubeVirtLab' {
    It 'serves on loopback, writes a kubeconfig and returns the lab' {
        $lab = Start-KubeVirtLab -Name 'start-test'
        try {
            $lab | Should -BeOfType ([VmSnapshot.KubeVirtLabInfo])
            $lab.Server.Host | Should -Be '127.0.0.1'
            $lab.Server.Port | Should -BeGreaterThan 0
            $lab.KubeconfigPath | Should -Exist
            $lab.GetToken() | Should -BeOfType ([securestring])
            $lab.Context | Should -Be 'start-test'
            $lab.Namespace | Should -Be 'vms'
            (Get-Content $lab.KubeconfigPath -Raw) | Should -BeLike "*$($lab.Server.Authority)*"
            if (-not $IsWindows) {
                (Get-Item $lab.KubeconfigPath).UnixMode | Should -Be '-rw-------'
            }
            # A request without the token is refused.
            $response = Invoke-WebRequest "$($lab.Server)apis/snapshot.kubevirt.io/v1beta1/namespaces/vms/virtualmachinesnapshots" -SkipHttpErrorCheck
            $response.StatusCode | Should -Be 401
        }
        finally {
            $lab | Stop-KubeVirtLab -Confirm:$false
        }
        $lab.KubeconfigPath | Should -Not -Exist
        $lab.Running | Should -BeFalse
    }

    It 'never writes its token when the lab object is exported or printed' {
        $lab = Start-KubeVirtLab -Name 'export-test' -Scenario empty
        try {
            $token = [System.Net.NetworkCredential]::new('', $lab.GetToken()).Password
            $token | Should -Not -BeNullOrEmpty
            $xml = Join-Path $TestDrive 'lab.xml'
            $lab | Export-Clixml -LiteralPath $xml
            $exported = Get-Content -LiteralPath $xml -Raw
            $exported | Should -Not -BeLike '*<SS*'   # no SecureString element at all
            $hex = -join ([Text.Encoding]::Unicode.GetBytes($token) | ForEach-Object { $_.ToString('x2') })
            $exported | Should -Not -BeLike "*$hex*"
            $exported | Should -Not -BeLike "*$token*"
            ($lab | ConvertTo-Json -Depth 3) | Should -Not -BeLike "*$token*"
            ($lab | Format-List * | Out-String) | Should -Not -BeLike "*$token*"
        }
        finally { $lab | Stop-KubeVirtLab -Confirm:$false }
    }

    It 'runs several labs side by side and lists them' {
        $one = Start-KubeVirtLab -Name 'one' -Scenario empty
        $two = Start-KubeVirtLab -Name 'two' -Scenario empty
        try {
            $one.Server | Should -Not -Be $two.Server
            (Get-KubeVirtLab -Name 'one', 'two').Name | Sort-Object | Should -Be @('one', 'two')
            (Get-KubeVirtLab -Name 't*').Name | Should -Be 'two'
        }
        finally {
            Stop-KubeVirtLab -Name one, two -Confirm:$false
        }
        Get-KubeVirtLab -Name one, two | Should -BeNullOrEmpty
    }

    It 'never overwrites an existing file unless -Force' {
        $path = Join-Path $TestDrive 'precious.kubeconfig'
        Set-Content $path 'my-precious-kubeconfig: true'
        { Start-KubeVirtLab -KubeconfigPath $path -Scenario empty } | Should -Throw -ErrorId 'KubeconfigExists,VmSnapshot.Commands.StartKubeVirtLabCommand'
        Get-Content $path -Raw | Should -BeLike '*my-precious-kubeconfig*'
        $lab = Start-KubeVirtLab -KubeconfigPath $path -Scenario empty -Force
        $lab | Stop-KubeVirtLab -Confirm:$false
        Get-Content $path -Raw | Should -BeLike '*apiVersion: v1*'
    }

    It 'writes the kubeconfig where asked and keeps it after stopping' {
        $path = Join-Path $TestDrive 'lab.kubeconfig'
        $lab = Start-KubeVirtLab -KubeconfigPath $path -Scenario empty
        $lab.KubeconfigPath | Should -Be $path
        $lab | Stop-KubeVirtLab -Confirm:$false
        $path | Should -Exist
    }

    It 'connects the session with -Connect, and after the lab stops refuses to move on to the kubeconfig by itself' {
        # "production" stands for whatever cluster the user's kubeconfig points at: a script tested against the lab
        # must not go on against it just because the lab stopped.
        $production = Start-KubeVirtLab -Name 'production' -Scenario empty
        $env:KUBECONFIG = $production.KubeconfigPath
        try {
            $lab = Start-KubeVirtLab -Connect -Name 'connected'
            @(Get-VMSnapshot).Count | Should -BeGreaterThan 0
            $lab | Stop-KubeVirtLab -Confirm:$false

            $err = $null
            try { Get-VMSnapshot } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -Be 'LabStopped,VmSnapshot.Commands.GetVMSnapshotCommand'
            $err.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
            $err.TargetObject | Should -Be 'connected'
            $err.Exception.Message | Should -BeLike "*lab 'connected', which was stopped*nothing was sent*"
            $err.ErrorDetails.RecommendedAction | Should -BeLike '*Connect-KubeVirt*Disconnect-KubeVirt*'
            { New-VMSnapshot -VMName anything -Confirm:$false } | Should -Throw -ErrorId 'LabStopped,VmSnapshot.Commands.NewVMSnapshotCommand'
            @(Get-VMSnapshot -Context production).Count | Should -Be 0 -Because '-Context names the cluster explicitly'

            # Disconnect-KubeVirt is the explicit choice of the kubeconfig's current context.
            Disconnect-KubeVirt
            @(Get-VMSnapshot -AllNamespaces).Count | Should -Be 0
        }
        finally {
            Remove-Item Env:KUBECONFIG
            $production | Stop-KubeVirtLab -Confirm:$false
        }
    }

    It 'refuses a scenario file that does not exist' {
        { Start-KubeVirtLab -Scenario (Join-Path $TestDrive 'missing.yaml') } |
            Should -Throw -ErrorId 'LabStartFailed,VmSnapshot.Commands.StartKubeVirtLabCommand'
    }

    It 'refuses a scenario with <Case>, naming the object and what to do, and starts nothing' -ForEach @(
        @{
            Case     = 'a kind the lab does not serve'
            Document = "apiVersion: apps/v1`nkind: Deployment`nmetadata:`n  name: web`n  namespace: demo"
            Message  = "Deployment 'demo/web' (apiVersion apps/v1) is of a kind the lab does not serve. Remove that document " +
                'from the scenario; the kinds a scenario may contain are listed in Get-Help about_KubeVirtLab_Scenarios.'
        }
        @{
            Case     = 'an apiVersion the lab does not serve for its kind'
            Document = "apiVersion: snapshot.kubevirt.io/v1alpha9`nkind: VirtualMachineSnapshot`nmetadata:`n  name: old`n  namespace: vms"
            Message  = "VirtualMachineSnapshot 'vms/old' has apiVersion snapshot.kubevirt.io/v1alpha9, which the lab does not " +
                'serve for VirtualMachineSnapshot. Use apiVersion snapshot.kubevirt.io/v1beta1 or snapshot.kubevirt.io/v1alpha1.'
        }
    ) {
        $path = New-ScenarioFile -Name 'unserved.yaml' -Document "apiVersion: v1`nkind: Namespace`nmetadata:`n  name: demo", $Document
        $before = @(Get-KubeVirtLab).Count

        $record = $null
        try { Start-KubeVirtLab -Scenario $path -Name 'unserved'; $reached = $true } catch { $record = $_ }

        $reached | Should -BeNullOrEmpty
        $record.FullyQualifiedErrorId | Should -Be 'LabStartFailed,VmSnapshot.Commands.StartKubeVirtLabCommand'
        $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $record.TargetObject | Should -Be $path
        $record.Exception.Message | Should -Be "Scenario 'unserved': $Message"
        $record.ErrorDetails.RecommendedAction | Should -Be ('Nothing was started. Fix the scenario (Get-Help about_KubeVirtLab_Scenarios), ' +
            'or use a built-in one: default, empty or scale:NxM.')
        @(Get-KubeVirtLab).Count | Should -Be $before
    }

    It 'says a port in use is in use, recommends what to do, and starts nothing' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try {
            $port = $listener.LocalEndpoint.Port
            $before = @(Get-KubeVirtLab).Count
            $record = $null
            try { Start-KubeVirtLab -Scenario empty -Name 'busy-port' -Port $port } catch { $record = $_ }
            $record.FullyQualifiedErrorId | Should -Be 'LabPortInUse,VmSnapshot.Commands.StartKubeVirtLabCommand'
            $record.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
            $record.TargetObject | Should -Be $port
            $record.Exception.Message | Should -Be "Port $port on 127.0.0.1 is already in use (another lab, or another program). Nothing was started."
            $record.ErrorDetails.RecommendedAction | Should -BeLike '*-Port 0*'
            @(Get-KubeVirtLab).Count | Should -Be $before
        }
        finally {
            $listener.Stop()
        }
    }

    It 'removes the kubeconfig it wrote (it holds the token) when the process exits without Stop-KubeVirtLab' {
        $path = Invoke-FreshPwsh -Script "Import-Module '$ModuleManifest'; (Start-KubeVirtLab -Scenario empty -Name exits).KubeconfigPath"
        $path | Should -Not -BeNullOrEmpty
        $path | Should -Not -Exist
    }

    It 'reports stopping a lab that does not exist' {
        Stop-KubeVirtLab -Name 'never-started' -ErrorAction SilentlyContinue -ErrorVariable err
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'LabNotFound,VmSnapshot.Commands.StopKubeVirtLabCommand'
    }

    It 'lists nothing with -WhatIf on Stop-KubeVirtLab and keeps the lab running' {
        $lab = Start-KubeVirtLab -Scenario empty -Name 'whatif'
        try {
            $lab | Stop-KubeVirtLab -WhatIf
            (Get-KubeVirtLab -Name whatif).Running | Should -BeTrue
        }
        finally {
            $lab | Stop-KubeVirtLab -Confirm:$false
        }
    }
}

Describe 'Lab over TLS' {
    BeforeAll {
        $lab = Start-KubeVirtLab -UseTls -Name 'tls'
        $token = [System.Net.NetworkCredential]::new('', $lab.GetToken()).Password
    }

    AfterAll {
        $lab | Stop-KubeVirtLab -Confirm:$false
    }

    It 'serves https and the kubeconfig carries its CA, which the module verifies' {
        $lab.Server.Scheme | Should -Be 'https'
        (Get-Content $lab.KubeconfigPath -Raw) | Should -BeLike '*certificate-authority-data*'
        $connection = Connect-KubeVirt -Kubeconfig $lab.KubeconfigPath -PassThru
        $connection.SkipTlsVerify | Should -BeFalse
        @(Get-VMSnapshot -Connection $connection).Count | Should -BeGreaterThan 0
    }

    It 'refuses the lab certificate when the CA is not given, as a TLS failure (not as an unreachable cluster)' {
        $caught = $null
        try { Connect-KubeVirt -Server $lab.Server -Token (ConvertTo-SecureString $token -AsPlainText) -ErrorAction Stop } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -Be 'TlsFailure,VmSnapshot.Commands.ConnectKubeVirtCommand'
        $caught.CategoryInfo.Category | Should -Be 'SecurityError'
        $caught.ErrorDetails.RecommendedAction | Should -BeLike '*-CertificateAuthority*'
    }

    It 'accepts the lab certificate with -CertificateAuthority' {
        $caData = ((Get-Content $lab.KubeconfigPath) -match 'certificate-authority-data:' | Select-Object -First 1) -replace '.*certificate-authority-data:\s*', ''
        $caPath = Join-Path $TestDrive 'lab-ca.pem'
        [IO.File]::WriteAllBytes($caPath, [Convert]::FromBase64String($caData.Trim()))
        $connection = Connect-KubeVirt -Server $lab.Server -Token (ConvertTo-SecureString $token -AsPlainText) -CertificateAuthority $caPath -Namespace vms -PassThru
        @(Get-VMSnapshot -Connection $connection).Count | Should -BeGreaterThan 0
    }
}

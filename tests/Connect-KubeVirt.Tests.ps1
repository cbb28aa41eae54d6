BeforeAll {
    . "$PSScriptRoot/common.ps1"
    Import-Module $ModuleManifest -Force
    $lab = Start-KubeVirtLab -Name 'connect-tests'
    $token = [System.Net.NetworkCredential]::new('', $lab.GetToken()).Password
}

AfterAll {
    $lab | Stop-KubeVirtLab -Confirm:$false
    Disconnect-KubeVirt
}

Describe 'Connect-KubeVirt' {
    AfterEach {
        Disconnect-KubeVirt
        Remove-Item Env:KUBECONFIG -ErrorAction SilentlyContinue
    }

    It 'connects from a kubeconfig file and sets the session default' {
        $connection = Connect-KubeVirt -Kubeconfig $lab.KubeconfigPath -PassThru
        $connection | Should -BeOfType ([VmSnapshot.KubeVirtConnection])
        $connection.Server | Should -Be $lab.Server
        $connection.Context | Should -Be $lab.Context
        $connection.Namespace | Should -Be $lab.Namespace
        $connection.Source | Should -Be 'Kubeconfig'
        @(Get-VMSnapshot).Count | Should -BeGreaterThan 0
    }

    It 'returns nothing without -PassThru' {
        Connect-KubeVirt -Kubeconfig $lab.KubeconfigPath | Should -BeNullOrEmpty
    }

    It 'merges the files named by KUBECONFIG and picks a context from any of them' {
        $other = Join-Path $TestDrive 'other.kubeconfig'
        @'
apiVersion: v1
kind: Config
current-context: elsewhere
clusters:
- name: elsewhere
  cluster:
    server: https://elsewhere.invalid:6443
users:
- name: elsewhere
  user:
    token: not-used
contexts:
- name: elsewhere
  context:
    cluster: elsewhere
    user: elsewhere
'@ | Set-Content $other
        $env:KUBECONFIG = "$other$([IO.Path]::PathSeparator)$($lab.KubeconfigPath)"
        $connection = Connect-KubeVirt -Context $lab.Context -PassThru
        $connection.Server | Should -Be $lab.Server
        $connection.KubeconfigPath | Should -Be $env:KUBECONFIG
    }

    It 'uses the current kubeconfig context when Connect-KubeVirt was never called' {
        $env:KUBECONFIG = $lab.KubeconfigPath
        $snapshots = Get-VMSnapshot -Verbose 4>&1
        ($snapshots | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message |
            Should -BeLike "*context '$($lab.Context)'*"
        @($snapshots | Where-Object { $_ -is [VmSnapshot.KubeVirtVMSnapshot] }).Count | Should -BeGreaterThan 0
    }

    It 'overrides the namespace with -Namespace, and warns when that namespace does not exist' {
        $connection = Connect-KubeVirt -Kubeconfig $lab.KubeconfigPath -Namespace elsewhere -PassThru -WarningVariable warnings -WarningAction SilentlyContinue
        $connection.Namespace | Should -Be 'elsewhere'
        @($warnings).Count | Should -Be 1
        $warnings[0].Message | Should -BeLike "Namespace 'elsewhere' (*) does not exist on $($lab.Server)*Connect again with -Namespace to work in another."
        # An existing namespace is no warning, whether it holds snapshots or none.
        Connect-KubeVirt -Kubeconfig $lab.KubeconfigPath -Namespace vms -WarningVariable none1
        Connect-KubeVirt -Kubeconfig $lab.KubeconfigPath -Namespace default -WarningVariable none2
        @($none1).Count + @($none2).Count | Should -Be 0
    }

    It 'says on the information stream which namespace it chose without -Namespace: <Case>' -ForEach @(
        @{ Case = 'the context sets one'; Strip = $false; Namespace = 'vms'; Origin = "set by context 'connect-tests'" }
        @{ Case = 'the context sets none'; Strip = $true; Namespace = 'default'; Origin = "context 'connect-tests' sets none" }
    ) {
        $text = Get-Content $lab.KubeconfigPath -Raw
        if ($Strip) { $text = $text -replace '(?m)^\s+namespace:.*\r?\n', '' }
        ($text -match 'namespace:') | Should -Be (-not $Strip)
        $kubeconfig = Join-Path $TestDrive 'namespace.kubeconfig'
        Set-Content -LiteralPath $kubeconfig -Value $text

        $connection = Connect-KubeVirt -Kubeconfig $kubeconfig -PassThru -InformationVariable info -Verbose 4>&1 |
            Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }

        $connection.Namespace | Should -Be $Namespace
        $info.Count | Should -Be 1
        $info[0].Tags | Should -Contain 'VmSnapshot'
        "$($info[0].MessageData)" | Should -Be ("Connected to $($lab.Context) ($($lab.Server)); namespace '$Namespace' ($Origin). " +
            'Pass -Namespace to work in another.')
    }

    It 'keeps quiet about the namespace by default (a runbook prints nothing) and shows it with -InformationAction Continue' {
        $pwsh = Get-PwshCommand
        $connect = "Import-Module '$ModuleManifest'; Connect-KubeVirt -Kubeconfig '$($lab.KubeconfigPath)'"

        $quiet = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $connect 2>&1
        $quietExit = $LASTEXITCODE
        $shown = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command "$connect -InformationAction Continue" 2>&1
        $shownExit = $LASTEXITCODE

        $quietExit | Should -Be 0
        $shownExit | Should -Be 0
        ($quiet -join "`n").Trim() | Should -BeNullOrEmpty
        ($shown -join "`n") | Should -BeLike "*namespace 'vms' (set by context 'connect-tests'). Pass -Namespace to work in another.*"
    }

    It 'says nothing on the information stream when -Namespace chose the namespace, and names it in the verbose stream' {
        $verbose = Connect-KubeVirt -Kubeconfig $lab.KubeconfigPath -Namespace elsewhere -InformationVariable info -Verbose 4>&1
        $info.Count | Should -Be 0
        @($verbose.Message) | Should -Contain "Connected to $($lab.Context) ($($lab.Server)); namespace 'elsewhere' (-Namespace)."
    }

    It 'connects with -Server and a SecureString -Token' {
        $connection = Connect-KubeVirt -Server $lab.Server -Token (ConvertTo-SecureString $token -AsPlainText) -Namespace vms -PassThru
        $connection.Source | Should -Be 'Token'
        $connection.Context | Should -BeNullOrEmpty
        @(Get-VMSnapshot).Count | Should -BeGreaterThan 0
    }

    It 'warns that a token sent to a plain http:// server on another machine travels unencrypted' {
        $address = [System.Net.NetworkInformation.NetworkInterface]::GetAllNetworkInterfaces() |
            Where-Object OperationalStatus -EQ 'Up' |
            ForEach-Object { $_.GetIPProperties().UnicastAddresses.Address } |
            Where-Object { $_.AddressFamily -eq 'InterNetwork' -and -not [System.Net.IPAddress]::IsLoopback($_) } |
            Select-Object -First 1
        if (-not $address) { Set-ItResult -Skipped -Because 'this machine has no network address besides loopback'; return }
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()   # nothing listens there on $address

        $record = $null
        try {
            Connect-KubeVirt -Server "http://${address}:$port" -Token (ConvertTo-SecureString 'x' -AsPlainText) `
                -WarningVariable warnings -WarningAction SilentlyContinue
        }
        catch { $record = $_ }

        $record.FullyQualifiedErrorId | Should -Be 'ClusterUnreachable,VmSnapshot.Commands.ConnectKubeVirtCommand'
        # A refused connection is not a certificate problem: the advice says to check the address and the server.
        $record.ErrorDetails.RecommendedAction | Should -BeLike 'Nothing accepts connections at that address*running.'

        @($warnings).Count | Should -Be 1
        $warnings[0].Message | Should -Be "http://${address}:$port/ is plain HTTP: the bearer token travels unencrypted to whoever answers. Use the API server's https:// address (oc whoami --show-server shows it)."
    }

    It 'does not warn about plain HTTP on loopback, where the token never leaves the machine' {
        Connect-KubeVirt -Server $lab.Server -Token (ConvertTo-SecureString $token -AsPlainText) -Namespace vms -WarningVariable warnings
        @($warnings).Count | Should -Be 0
    }

    It 'refuses an unknown context, naming the known ones' {
        { Connect-KubeVirt -Kubeconfig $lab.KubeconfigPath -Context nope } |
            Should -Throw -ErrorId 'ContextNotFound,VmSnapshot.Commands.ConnectKubeVirtCommand'
        $record = try { Connect-KubeVirt -Kubeconfig $lab.KubeconfigPath -Context nope; $null } catch { $_ }
        # Asserted after the try, so a connect that did not fail fails the test instead of skipping its checks.
        $record | Should -Not -BeNullOrEmpty
        $record.FullyQualifiedErrorId | Should -Be 'ContextNotFound,VmSnapshot.Commands.ConnectKubeVirtCommand'
        $record.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $record.Exception.Message | Should -BeLike "*'nope'*$($lab.Context)*"
    }

    It 'refuses a kubeconfig that does not exist' {
        { Connect-KubeVirt -Kubeconfig (Join-Path $TestDrive 'absent') } |
            Should -Throw -ErrorId 'KubeconfigNotFound,VmSnapshot.Commands.ConnectKubeVirtCommand'
    }

    It 'refuses -InCluster outside a pod' {
        { Connect-KubeVirt -InCluster } | Should -Throw -ErrorId 'NotInCluster,VmSnapshot.Commands.ConnectKubeVirtCommand'
    }

    It 'connects nowhere after a connect fails: later commands are refused, not sent to the previous cluster or the kubeconfig' {
        # A runbook that goes on after a failed connect (no -ErrorAction Stop) must not act on the cluster the session
        # was connected to before, nor on the kubeconfig's current context, when it meant another cluster.
        $env:KUBECONFIG = $lab.KubeconfigPath
        Connect-KubeVirt -Kubeconfig $lab.KubeconfigPath
        { Connect-KubeVirt -Kubeconfig $lab.KubeconfigPath -Context nope } |
            Should -Throw -ErrorId 'ContextNotFound,VmSnapshot.Commands.ConnectKubeVirtCommand'

        $err = $null
        try { Get-VMSnapshot } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'LastConnectFailed,VmSnapshot.Commands.GetVMSnapshotCommand'
        $err.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $err.TargetObject | Should -Be "context 'nope'"
        $err.Exception.Message | Should -BeLike "*last Connect-KubeVirt (to context 'nope') failed*Nothing was sent anywhere."
        { Remove-VMSnapshot -Name rhel8-brainy-bear-before-upgrade -Confirm:$false } | Should -Throw -ErrorId 'LastConnectFailed,VmSnapshot.Commands.RemoveVMSnapshotCommand'

        # The same after a connect whose server does not answer.
        Connect-KubeVirt -Kubeconfig $lab.KubeconfigPath
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
        { Connect-KubeVirt -Server "http://127.0.0.1:$port" -Token (ConvertTo-SecureString 'x' -AsPlainText) } |
            Should -Throw -ErrorId 'ClusterUnreachable,VmSnapshot.Commands.ConnectKubeVirtCommand'
        { Get-VMSnapshot } | Should -Throw -ErrorId 'LastConnectFailed,VmSnapshot.Commands.GetVMSnapshotCommand'

        # A later connect that works, or an explicit -Context, is a choice again.
        @(Get-VMSnapshot -Context connect-tests).Count | Should -BeGreaterThan 0
        Connect-KubeVirt -Kubeconfig $lab.KubeconfigPath
        @(Get-VMSnapshot).Count | Should -BeGreaterThan 0
        (Get-VMSnapshot -Name rhel8-brainy-bear-before-upgrade).Name | Should -Be 'rhel8-brainy-bear-before-upgrade' -Because 'the refused removal sent nothing'
    }
}

Describe 'Secrets never appear in output' {
    It 'does not show the token in objects, verbose, debug or error streams' {
        $connection = Connect-KubeVirt -Server $lab.Server -Token (ConvertTo-SecureString $token -AsPlainText) -Namespace vms -PassThru -Verbose -Debug 4>&1 5>&1
        $everything = @(
            $connection | Format-List * | Out-String
            $connection | ConvertTo-Json -Depth 5 -WarningAction SilentlyContinue
            $connection | Export-Clixml -Path (Join-Path $TestDrive 'c.xml'); Get-Content (Join-Path $TestDrive 'c.xml') -Raw
            Get-VMSnapshot -Verbose -Debug 4>&1 5>&1 | Out-String
        )
        # A connect with a wrong token: its verbose and debug records stream into $streamed as they come, and its
        # error is kept, so every check below runs whether or not it failed (and the first checks that it did).
        $streamed = [System.Collections.Generic.List[object]]::new()
        $failure = $null
        try {
            & { Connect-KubeVirt -Server $lab.Server -Token (ConvertTo-SecureString "$token-wrong" -AsPlainText) -Verbose -Debug } 4>&1 5>&1 |
                ForEach-Object { $streamed.Add($_) }
        }
        catch {
            $failure = $_
        }
        $failure | Should -Not -BeNullOrEmpty -Because 'a wrong token must be refused'
        $failure.FullyQualifiedErrorId | Should -Be 'Unauthorized,VmSnapshot.Commands.ConnectKubeVirtCommand'
        $streamed.Count | Should -BeGreaterThan 0 -Because 'the failing connect''s verbose and debug records are checked too'
        $everything += $streamed | Out-String
        $everything += $failure | Format-List * -Force | Out-String
        $everything += $failure.Exception | Format-List * -Force | Out-String
        $everything += $failure | ConvertTo-Json -Depth 6 -WarningAction SilentlyContinue
        $failure | Export-Clixml -Path (Join-Path $TestDrive 'e.xml') -Depth 6
        $everything += Get-Content (Join-Path $TestDrive 'e.xml') -Raw
        ($everything -join "`n") | Should -Not -BeLike "*$token*"
        ($everything -join "`n") | Should -Not -BeLike '*Bearer*'
        ($everything -join "`n") | Should -BeLike '*Unauthorized*'
    }
}

Describe 'Disconnect-KubeVirt' {
    It 'clears the session connection so the kubeconfig applies again' {
        Connect-KubeVirt -Kubeconfig $lab.KubeconfigPath
        Disconnect-KubeVirt
        $env:KUBECONFIG = Join-Path $TestDrive 'absent'
        try {
            { Get-VMSnapshot } | Should -Throw -ErrorId 'KubeconfigNotFound,VmSnapshot.Commands.GetVMSnapshotCommand'
        }
        finally {
            Remove-Item Env:KUBECONFIG
        }
    }
}

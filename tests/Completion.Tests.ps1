# Tab completion through PowerShell's own engine (TabExpansion2), against labs over HTTP: what each parameter offers,
# how parameters already typed narrow it, and that an unreachable or silent cluster costs well under a second.
BeforeAll {
    . "$PSScriptRoot/common.ps1"
    Import-Module $ModuleManifest -Force
    $lab = Start-KubeVirtLab -Name 'completion-tests' -Connect
    $null = Get-KubeVirtVM # warms the client up, so a first Tab on a busy machine is not spent compiling it

    function Complete([string] $Line) {
        # What Tab would put on the command line at the end of $Line, in the order offered.
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText)
    }

    $defaultVms = @('app-paused', 'centos-stopped', 'db-nfs-data', 'fedora-hotplug', 'fedora-no-agent',
        'fedora-vmi-hotplug', 'rhel8-brainy-bear', 'win2k19-profound-gecko')
}

AfterAll {
    $lab | Stop-KubeVirtLab -Confirm:$false
    Disconnect-KubeVirt
    Remove-Variable -Scope Global -Name teamsConnection, goneConnection, cacheConnection, viewerConnection, slowConnection -ErrorAction Ignore
}

Describe 'VM names' {
    It 'offers the VMs of the connection''s namespace, sorted, for -VMName and the positional VM argument' {
        Complete 'Get-VMSnapshot -VMName ' | Should -Be $defaultVms
        Complete 'New-VMSnapshot ' | Should -Be $defaultVms
        Complete 'Test-VMHealth -VMName fedora' | Should -Be @('fedora-hotplug', 'fedora-no-agent', 'fedora-vmi-hotplug')
        Complete 'Get-KubeVirtVM -VMName RHEL' | Should -Be @('rhel8-brainy-bear')
        Complete 'New-VMClone clone-1 -VMName win' | Should -Be @('win2k19-profound-gecko')
        Complete 'Get-VMSnapshot -VMName *agent' | Should -Be @('fedora-no-agent')
    }

    It 'offers the VMs of the namespace typed with -Namespace, and of every namespace with -AllNamespaces' {
        function New-VMManifest([string] $Name, [string] $Namespace) {
            "apiVersion: kubevirt.io/v1`nkind: VirtualMachine`nmetadata:`n  name: $Name`n  namespace: $Namespace`nspec:`n  runStrategy: Halted`n  template:`n    spec:`n      domain:`n        devices: {}"
        }
        $documents = @(
            "apiVersion: v1`nkind: Namespace`nmetadata:`n  name: team-a"
            "apiVersion: v1`nkind: Namespace`nmetadata:`n  name: team-b"
            New-VMManifest a-web team-a
            New-VMManifest a-db team-a
            New-VMManifest b-web team-b
        )
        $teams = Start-KubeVirtLab -Scenario (New-ScenarioFile -Document $documents) -Name 'completion-teams'
        try {
            $global:teamsConnection = Connect-KubeVirt -Kubeconfig $teams.KubeconfigPath -PassThru -Namespace team-a
            Connect-KubeVirt -Kubeconfig $lab.KubeconfigPath # the session stays on the first lab

            Complete 'Get-VMSnapshot -Connection $teamsConnection -VMName ' | Should -Be @('a-db', 'a-web')
            Complete 'Get-VMSnapshot -Connection $teamsConnection -Namespace team-b -VMName ' | Should -Be @('b-web')
            Complete 'Test-GuestQuiesce -Connection $teamsConnection -AllNamespaces -VMName ' | Should -Be @('a-db', 'a-web', 'b-web')
            Complete 'Get-VMSnapshot -Namespace kubevirt -VMName ' | Should -Be @()
        }
        finally {
            $teams | Stop-KubeVirtLab -Confirm:$false
        }
    }
}

Describe 'Snapshot names' {
    It 'offers every snapshot of the namespace, and only those of the VM typed with -VMName' {
        Complete 'Get-VMSnapshot -Name ' | Should -Be @('fedora-no-agent-manual', 'rhel8-brainy-bear-before-upgrade',
            'rhel8-brainy-bear-pre-patch', 'win2k19-profound-gecko-nightly-20261124', 'win2k19-profound-gecko-nightly-20261125')
        Complete 'Get-VMSnapshot -VMName rhel8-brainy-bear -Name ' | Should -Be @('rhel8-brainy-bear-before-upgrade', 'rhel8-brainy-bear-pre-patch')
        Complete 'Remove-VMSnapshot -VMName win2k19* -Name ' | Should -Be @('win2k19-profound-gecko-nightly-20261124', 'win2k19-profound-gecko-nightly-20261125')
        Complete 'Restore-VMSnapshot -VMName fedora-no-agent -Name ' | Should -Be @('fedora-no-agent-manual')
        Complete 'Wait-VMSnapshot rhel8-brainy-bear-p' | Should -Be @('rhel8-brainy-bear-pre-patch')
        Complete 'New-VMClone clone-1 -SnapshotName fedora' | Should -Be @('fedora-no-agent-manual')
    }
}

Describe 'Namespaces' {
    It 'offers every namespace the caller may list, not only the connection''s' {
        Complete 'Get-VMSnapshot -Namespace ' | Should -Be @('default', 'kubevirt', 'vms')
        Complete 'Get-KubeVirtVM -Namespace KUBE' | Should -Be @('kubevirt')
    }

    It 'offers a user who may not list namespaces the namespace of the connection' {
        # snapshot-viewer of the default scenario may read snapshots only: the namespaces list is refused (403).
        $viewerKubeconfig = Join-Path $TestDrive 'viewer.kubeconfig'
        (Get-Content -LiteralPath $lab.KubeconfigPath -Raw) -replace '(?m)^(\s*token:).*$', '$1 viewer-token' |
            Set-Content -LiteralPath $viewerKubeconfig
        $global:viewerConnection = Connect-KubeVirt -Kubeconfig $viewerKubeconfig -PassThru
        Connect-KubeVirt -Kubeconfig $lab.KubeconfigPath

        Complete 'Get-VMSnapshot -Connection $viewerConnection -Namespace ' | Should -Be @('vms')
        Complete 'Get-VMSnapshot -Connection $viewerConnection -VMName ' | Should -Be @()
        Complete 'Get-VMSnapshot -Connection $viewerConnection -Name rhel' | Should -Be @('rhel8-brainy-bear-before-upgrade', 'rhel8-brainy-bear-pre-patch')
    }

    It 'offers Connect-KubeVirt the namespaces of the kubeconfig typed, before any connection exists' {
        Disconnect-KubeVirt
        try {
            Complete "Connect-KubeVirt -Kubeconfig '$($lab.KubeconfigPath)' -Namespace " | Should -Be @('default', 'kubevirt', 'vms')
            Complete "Connect-KubeVirt -Kubeconfig '$($lab.KubeconfigPath)' -Context completion-tests -Namespace d" | Should -Be @('default')
            Complete "Connect-KubeVirt -Kubeconfig '$($lab.KubeconfigPath)' -Context no-such-context -Namespace " | Should -Be @()
            Complete "Connect-KubeVirt -Server https://api.example.com:6443 -Namespace " | Should -Be @()
        }
        finally {
            Connect-KubeVirt -Kubeconfig $lab.KubeconfigPath
        }
    }
}

Describe 'Lab scenarios and lab names' {
    It 'offers the built-in scenarios, the scale: prefix and the YAML files of the current folder, quoted when needed' {
        Set-Content -LiteralPath (Join-Path $TestDrive 'mine.yaml') -Value 'x'
        Set-Content -LiteralPath (Join-Path $TestDrive 'my lab.yml') -Value 'x'
        Set-Content -LiteralPath (Join-Path $TestDrive 'notes.txt') -Value 'x'
        Push-Location $TestDrive
        try {
            Complete 'Start-KubeVirtLab -Scenario ' | Should -Be @('default', 'empty', 'mine.yaml', "'my lab.yml'", 'scale:')
            Complete 'Start-KubeVirtLab -Scenario e' | Should -Be @('empty')
            Complete 'Start-KubeVirtLab -Scenario sc' | Should -Be @('scale:')
        }
        finally {
            Pop-Location
        }
    }

    It 'offers the names of the labs running in this session' {
        Complete 'Stop-KubeVirtLab -Name completion-t' | Should -Be @('completion-tests')
        Complete 'Get-KubeVirtLab -Name COMPLETION-' | Should -Be @('completion-tests')
        Complete 'Get-KubeVirtLab -Name nothing-like-it' | Should -Be @()
    }
}

Describe 'The completion cache' {
    It 'reads the cluster once for a burst of Tabs, and again for another namespace or kind' {
        $cacheLab = Start-KubeVirtLab -Name 'completion-cache'
        try {
            $global:cacheConnection = Connect-KubeVirt -Kubeconfig $cacheLab.KubeconfigPath -PassThru
            Connect-KubeVirt -Kubeconfig $lab.KubeconfigPath
            $before = $cacheLab.RequestCount

            $burst = foreach ($i in 1..3) { , (Complete 'Get-VMSnapshot -Connection $cacheConnection -VMName ') }
            $afterBurst = $cacheLab.RequestCount
            $null = Complete 'Get-VMSnapshot -Connection $cacheConnection -VMName rhel'
            $afterNarrower = $cacheLab.RequestCount
            $null = Complete 'Get-VMSnapshot -Connection $cacheConnection -Namespace kubevirt -VMName '
            $null = Complete 'Get-VMSnapshot -Connection $cacheConnection -Name '
            $afterOthers = $cacheLab.RequestCount
        }
        finally {
            $cacheLab | Stop-KubeVirtLab -Confirm:$false
        }

        $burst.Count | Should -Be 3
        $burst[0] | Should -Be $defaultVms
        $burst[1] | Should -Be $defaultVms
        $burst[2] | Should -Be $defaultVms
        $afterBurst - $before | Should -Be 1
        $afterNarrower | Should -Be $afterBurst
        $afterOthers - $afterNarrower | Should -Be 2
    }
}

Describe 'A slow cluster' {
    It 'gives up at once on a slow list, and offers its answer at the next Tab' {
        $slowLab = Start-KubeVirtLab -Name 'completion-slow'
        try {
            $global:slowConnection = Connect-KubeVirt -Kubeconfig $slowLab.KubeconfigPath -PassThru
            Connect-KubeVirt -Kubeconfig $lab.KubeconfigPath
            Set-KubeVirtLabFault -Lab $slowLab -Rule @{ fault = 'slow'; verbs = 'list'; resources = 'virtualmachines'; delay = '1500ms' }

            $firstWatch = [Diagnostics.Stopwatch]::StartNew()
            $first = Complete 'Get-VMSnapshot -Connection $slowConnection -VMName '
            $firstWatch.Stop()
            Start-Sleep -Seconds 2 # the list answers in the background meanwhile
            $secondWatch = [Diagnostics.Stopwatch]::StartNew()
            $second = Complete 'Get-VMSnapshot -Connection $slowConnection -VMName '
            $secondWatch.Stop()
            $injected = (Get-KubeVirtLabFault -Lab $slowLab).Injected
        }
        finally {
            $slowLab | Stop-KubeVirtLab -Confirm:$false
        }

        $first | Should -Be @()
        $firstWatch.Elapsed | Should -BeLessThan ([timespan]::FromSeconds(1))
        $second | Should -Be $defaultVms
        $secondWatch.Elapsed | Should -BeLessThan ([timespan]::FromSeconds(1))
        $injected | Should -Be @(1) # one list, slowed once: the second Tab read nothing
    }
}

Describe 'A cluster that does not answer' {
    It 'offers nothing, at once, when the server behind -Connection is gone' {
        $gone = Start-KubeVirtLab -Name 'completion-gone'
        $global:goneConnection = Connect-KubeVirt -Kubeconfig $gone.KubeconfigPath -PassThru
        Connect-KubeVirt -Kubeconfig $lab.KubeconfigPath
        $gone | Stop-KubeVirtLab -Confirm:$false

        $watch = [Diagnostics.Stopwatch]::StartNew()
        $offered = Complete 'Get-VMSnapshot -Connection $goneConnection -VMName '
        $watch.Stop()

        $offered | Should -Be @()
        $watch.Elapsed | Should -BeLessThan ([timespan]::FromSeconds(2))
    }

    It 'gives up within the budget on a server that accepts connections and never answers' {
        $silent = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $silent.Start() # listens, never accepts: requests hang as on a black-holed API server
        $kubeconfig = Join-Path $TestDrive 'silent.kubeconfig'
        Set-Content -LiteralPath $kubeconfig -Value @"
apiVersion: v1
kind: Config
clusters:
- name: silent
  cluster:
    server: http://127.0.0.1:$($silent.LocalEndpoint.Port)
users:
- name: silent
  user:
    token: silent-token
contexts:
- name: silent
  context: {cluster: silent, user: silent, namespace: vms}
current-context: silent
"@
        $saved = $env:KUBECONFIG
        $env:KUBECONFIG = $kubeconfig
        try {
            $vmWatch = [Diagnostics.Stopwatch]::StartNew()
            $vms = Complete 'Get-VMSnapshot -Context silent -VMName '
            $vmWatch.Stop()
            $namespaceWatch = [Diagnostics.Stopwatch]::StartNew()
            $namespaces = Complete 'Get-VMSnapshot -Context silent -Namespace '
            $namespaceWatch.Stop()
        }
        finally {
            $env:KUBECONFIG = $saved
            $silent.Stop()
        }

        $vms | Should -Be @()
        $namespaces | Should -Be @()
        $vmWatch.Elapsed | Should -BeLessThan ([timespan]::FromSeconds(2))
        $namespaceWatch.Elapsed | Should -BeLessThan ([timespan]::FromSeconds(2))
    }
}

# The module as a unit: manifest contract, dependency isolation, re-import, runspaces, prefix and the Hyper-V clash.
BeforeDiscovery {
    . "$PSScriptRoot/common.ps1"
    $cmdletNames = (Import-PowerShellDataFile $ModuleManifest).CmdletsToExport
    # Every cmdlet that changes a cluster (or a guest) and the ConfirmImpact it declares. High prompts by default
    # ($ConfirmPreference High): what destroys data. Medium prompts with -Confirm or $ConfirmPreference Medium.
    # A cmdlet that is not listed must not support ShouldProcess: adding one means deciding its impact here.
    $declaredImpact = @{
        'New-VMSnapshot'     = 'Medium'   # creates a snapshot; Remove-VMSnapshot undoes it
        'New-VMClone'        = 'Medium'   # creates a VM
        'Remove-VMSnapshot'  = 'High'     # deletes snapshot data
        'Restore-VMSnapshot' = 'High'     # overwrites a VM's disks
        'Invoke-VMChange'    = 'High'     # runs a change on a VM and may roll its disks back
        'Test-GuestQuiesce'  = 'Medium'   # -Trial freezes the guest's file systems
        'Stop-KubeVirtLab'   = 'Medium'   # ends a lab and everything in it
        'Set-KubeVirtLabFault' = 'Low'    # changes how a lab answers, never what it holds
    }
    $contracts = $cmdletNames | ForEach-Object { @{ Name = $_; Impact = $declaredImpact[$_] } }
}

BeforeAll {
    . "$PSScriptRoot/common.ps1"
    $yamlDotNet11 = Join-Path (Get-NuGetPackageFolder) 'yamldotnet/11.2.1/lib/netstandard2.1/YamlDotNet.dll'
}

Describe 'Module manifest' {
    BeforeAll {
        $manifest = Import-PowerShellDataFile $ModuleManifest
        $module = Import-Module $ModuleManifest -Force -PassThru
        # Use the module once, so its dependencies are really loaded before we look at where they went.
        $lab = Start-KubeVirtLab -Name 'manifest-tests'
        $null = Get-VMSnapshot -Connection (Connect-KubeVirt -Kubeconfig $lab.KubeconfigPath -PassThru)
        Disconnect-KubeVirt
    }

    AfterAll {
        $lab | Stop-KubeVirtLab -Confirm:$false
    }

    It 'targets PowerShell 7.4+ Core only, without wildcards or RequiredAssemblies' {
        $manifest.PowerShellVersion | Should -Be '7.4'
        $manifest.CompatiblePSEditions | Should -Be @('Core')
        $manifest.Keys | Should -Not -Contain 'RequiredAssemblies'
        $manifest.Keys | Should -Not -Contain 'DefaultCommandPrefix'
        $manifest.CmdletsToExport | Should -Not -Contain '*'
        $manifest.FunctionsToExport | Should -BeNullOrEmpty
        $manifest.AliasesToExport | Should -BeNullOrEmpty
        $manifest.PrivateData.PSData.Tags | Should -Contain 'PSEdition_Core'
        $manifest.PrivateData.PSData.ProjectUri | Should -Not -BeNullOrEmpty
        $manifest.PrivateData.PSData.LicenseUri | Should -Not -BeNullOrEmpty
        $manifest.PrivateData.PSData.ReleaseNotes | Should -Not -BeNullOrEmpty
    }

    It 'exports exactly the cmdlets the manifest lists' {
        ($module.ExportedCmdlets.Keys | Sort-Object) | Should -Be ($manifest.CmdletsToExport | Sort-Object)
    }

    It '<Name> uses an approved verb, declares OutputType, and supports ShouldProcess with its declared impact exactly when it changes state' -ForEach $contracts {
        $command = Get-Command -Module VmSnapshot -Name $Name
        (Get-Verb).Verb | Should -Contain $command.Verb
        $command.OutputType | Should -Not -BeNullOrEmpty
        $attribute = $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        if ($command.Verb -in 'New', 'Remove', 'Restore', 'Set', 'Stop') {
            $Impact | Should -Not -BeNullOrEmpty -Because "$Name changes state by its verb, so its impact must be declared"
        }
        if ($Impact) {
            $attribute.SupportsShouldProcess | Should -BeTrue
            $attribute.ConfirmImpact | Should -Be $Impact
            $command.Parameters.Keys | Should -Contain 'WhatIf'
            $command.Parameters.Keys | Should -Contain 'Confirm'
        }
        else {
            $attribute.SupportsShouldProcess | Should -BeFalse -Because "$Name is not in the table of cmdlets that change state"
            $command.Parameters.Keys | Should -Not -Contain 'WhatIf'
        }
    }

    It 'ships the conceptual topic <_>' -ForEach 'about_VmSnapshot', 'about_KubeVirtLab_Scenarios' {
        $text = Get-Help $_ | Out-String
        $text | Should -Match "TOPIC\s+$_"
        $text | Should -Match 'SEE ALSO'
    }

    It 'about_VmSnapshot explains the Hyper-V name clash, restore policies, consistency and runbooks' {
        $text = Get-Help about_VmSnapshot | Out-String
        foreach ($section in 'CONSISTENCY', 'RESTORE POLICIES', 'THE HYPER-V NAME CLASH', 'RUNBOOKS', 'THE LAB') {
            $text | Should -Match $section
        }
        $text | Should -Match ([regex]::Escape('Import-Module VmSnapshot -Prefix Kv'))
    }

    It 'runs the fault example of about_KubeVirtLab_Scenarios as written, and it shows what it says' {
        $lines = (Get-Help about_KubeVirtLab_Scenarios | Out-String) -split '\r?\n'
        $start = [array]::FindIndex($lines, [Predicate[string]] { $args[0] -match '^\s+Start-KubeVirtLab -Connect \| Out-Null' })
        $start | Should -BeGreaterOrEqual 0
        $example = ($lines[$start..($start + 4)] | ForEach-Object { ($_ -replace '#.*$', '').Trim() }) -join "`n"
        $example | Should -Match 'Get-VMSnapshot -Name once'
        try {
            $output = @(& ([scriptblock]::Create($example)))
            $output[0].Name | Should -Be 'once'
            $output[1..2] | Should -Be @(1, 1)   # one fault injected; one snapshot made all the same
        }
        finally {
            Get-KubeVirtLab | Where-Object Name -EQ 'kubevirt-lab' | Stop-KubeVirtLab -Confirm:$false
            Disconnect-KubeVirt
        }
    }

    It 'restores, deletes and changes VMs only after confirmation by default (ConfirmImpact High); nothing else prompts unasked' {
        $impacts = @{}
        foreach ($name in $manifest.CmdletsToExport) {
            $attribute = (Get-Command -Module VmSnapshot -Name $name).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
            if ($attribute.SupportsShouldProcess) { $impacts[$name] = [string] $attribute.ConfirmImpact }
        }
        # With the default $ConfirmPreference (High), exactly these ask before they act.
        @($impacts.Keys | Where-Object { $impacts[$_] -eq 'High' } | Sort-Object) | Should -Be @('Invoke-VMChange', 'Remove-VMSnapshot', 'Restore-VMSnapshot')
        $impacts['Test-GuestQuiesce'] | Should -Be 'Medium' -Because '-Trial freezes a guest, so it must honour -WhatIf and -Confirm'
    }

    It 'keeps every dependency out of the default load context' {
        $loaded = [AppDomain]::CurrentDomain.GetAssemblies()
        $default = [System.Runtime.Loader.AssemblyLoadContext]::Default.Assemblies.GetName().Name
        $default | Should -Contain 'VmSnapshot.Shared'
        $default | Should -Not -Contain 'VmSnapshot'
        $default | Should -Not -Contain 'VmSnapshot.Core'
        $kubernetesClient = $loaded | Where-Object { $_.GetName().Name -eq 'KubernetesClient' -and $_.Location -like "$ModulePath*" }
        $kubernetesClient | Should -Not -BeNullOrEmpty
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($kubernetesClient[0]).Name | Should -Be 'VmSnapshot'
    }

    It 'exposes its public types to PowerShell by name' {
        [VmSnapshot.KubeVirtVMSnapshot] | Should -Not -BeNullOrEmpty
        [VmSnapshot.KubeVirtConnection] | Should -Not -BeNullOrEmpty
        [VmSnapshot.SnapshotPhase]::Succeeded | Should -Be 'Succeeded'
    }
}

Describe 'Dependency isolation' {
    It 'imports and works after another module loaded YamlDotNet 11' {
        $yamlDotNet11 | Should -Exist
        $otherModule = Join-Path $TestDrive 'YamlUser'
        New-Item -ItemType Directory $otherModule | Out-Null
        @"
Add-Type -Path '$yamlDotNet11'
function ConvertFrom-OtherYaml([string] `$Text) { [YamlDotNet.Serialization.Deserializer]::new().Deserialize[object](`$Text) }
"@ | Set-Content (Join-Path $otherModule 'YamlUser.psm1')

        $result = Invoke-FreshPwsh -Script @"
Import-Module '$otherModule/YamlUser.psm1'
`$before = (ConvertFrom-OtherYaml 'a: 1')['a']
Import-Module '$ModuleManifest'
`$lab = Start-KubeVirtLab -Connect
`$count = @(Get-VMSnapshot).Count
`$after = (ConvertFrom-OtherYaml 'b: 2')['b']
`$versions = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'YamlDotNet' } |
    ForEach-Object { `$_.GetName().Version.Major }
`$lab | Stop-KubeVirtLab -Confirm:`$false
[pscustomobject]@{ Before = `$before; After = `$after; Count = `$count; Versions = @(`$versions | Sort-Object) }
"@
        $result.Before | Should -Be '1'
        $result.After | Should -Be '2'
        $result.Count | Should -BeGreaterThan 0
        $result.Versions | Should -Be @(11, 18)
    }

    It 'survives Import-Module -Force twice in one session' {
        $result = Invoke-FreshPwsh -Script @"
Import-Module '$ModuleManifest'
Import-Module '$ModuleManifest' -Force
Import-Module '$ModuleManifest' -Force
`$lab = Start-KubeVirtLab -Connect
`$names = @(Get-VMSnapshot).Count
`$commands = @(Get-Command -Module VmSnapshot).Count
`$lab | Stop-KubeVirtLab -Confirm:`$false
[pscustomobject]@{ Count = `$names; Commands = `$commands }
"@
        $result.Count | Should -BeGreaterThan 0
        $result.Commands | Should -Be (Import-PowerShellDataFile $ModuleManifest).CmdletsToExport.Count
    }

    It 'works from two runspaces of one process at the same time' {
        $result = Invoke-FreshPwsh -Script @"
Import-Module '$ModuleManifest'
`$lab = Start-KubeVirtLab
`$work = {
    param(`$manifest, `$kubeconfig)
    Import-Module `$manifest
    Connect-KubeVirt -Kubeconfig `$kubeconfig
    @(Get-VMSnapshot).Count
}
`$shells = 1..2 | ForEach-Object {
    `$ps = [powershell]::Create([runspacefactory]::CreateRunspace())
    `$ps.Runspace.Open()
    [void]`$ps.AddScript(`$work).AddArgument('$ModuleManifest').AddArgument(`$lab.KubeconfigPath)
    [pscustomobject]@{ Shell = `$ps; Handle = `$ps.BeginInvoke() }
}
`$counts = foreach (`$s in `$shells) { `$s.Shell.EndInvoke(`$s.Handle); `$s.Shell.Dispose() }
`$lab | Stop-KubeVirtLab -Confirm:`$false
@(`$counts)
"@
        $result.Count | Should -Be 2
        $result[0] | Should -BeGreaterThan 0
        $result[1] | Should -Be $result[0]
    }
}

Describe 'Names that clash with Hyper-V' {
    It 'gives working Get-KvVMSnapshot with -Prefix Kv' {
        $result = Invoke-FreshPwsh -Script @"
Import-Module '$ModuleManifest' -Prefix Kv
`$lab = Start-KvKubeVirtLab -Connect
`$count = @(Get-KvVMSnapshot).Count
`$plain = [bool](Get-Command Get-VMSnapshot -ErrorAction SilentlyContinue)
`$lab | Stop-KvKubeVirtLab -Confirm:`$false
[pscustomobject]@{ Count = `$count; PlainNameExists = `$plain }
"@
        $result.Count | Should -BeGreaterThan 0
        $result.PlainNameExists | Should -BeFalse
    }

    It 'reaches our Get-VMSnapshot module-qualified when a Hyper-V-like module is loaded too' {
        $hyperV = Join-Path $TestDrive 'Hyper-V'
        New-Item -ItemType Directory $hyperV | Out-Null
        @'
function Get-VMSnapshot { 'hyper-v' }
function Restore-VMSnapshot { 'hyper-v' }
function Remove-VMSnapshot { 'hyper-v' }
Export-ModuleMember -Function Get-VMSnapshot, Restore-VMSnapshot, Remove-VMSnapshot
'@ | Set-Content (Join-Path $hyperV 'Hyper-V.psm1')
        $result = Invoke-FreshPwsh -Script @"
Import-Module '$ModuleManifest'
Import-Module '$hyperV/Hyper-V.psm1'
`$lab = Start-KubeVirtLab -Connect
`$unqualified = Get-VMSnapshot
`$qualified = @(VmSnapshot\Get-VMSnapshot)
`$lab | Stop-KubeVirtLab -Confirm:`$false
[pscustomobject]@{ Unqualified = `$unqualified; QualifiedType = `$qualified[0].GetType().FullName; Count = `$qualified.Count }
"@
        $result.Unqualified | Should -Be 'hyper-v'
        $result.QualifiedType | Should -Be 'VmSnapshot.KubeVirtVMSnapshot'
        $result.Count | Should -BeGreaterThan 0
    }
}

Describe 'Mocking from a user''s Pester test' {
    BeforeAll {
        Import-Module $ModuleManifest -Force
        function Get-StaleSnapshot { VmSnapshot\Get-VMSnapshot | Where-Object { $_.Age -gt [timespan]::FromDays(30) } }
    }

    It 'lets a script''s call be mocked with real output objects' {
        Mock Get-VMSnapshot {
            [VmSnapshot.KubeVirtVMSnapshot]@{ Name = 'old'; Namespace = 'vms'; VMName = 'web'; Phase = 'Succeeded'; ReadyToUse = $true; CreationTime = (Get-Date).AddDays(-40) }
            [VmSnapshot.KubeVirtVMSnapshot]@{ Name = 'new'; Namespace = 'vms'; VMName = 'web'; Phase = 'Succeeded'; ReadyToUse = $true; CreationTime = (Get-Date).AddDays(-1) }
        }
        $stale = Get-StaleSnapshot
        $stale.Name | Should -Be 'old'
        $stale | Should -BeOfType ([VmSnapshot.KubeVirtVMSnapshot])
        Should -Invoke Get-VMSnapshot -Times 1 -Exactly
    }
}

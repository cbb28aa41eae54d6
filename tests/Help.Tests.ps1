# Help, as Get-Help shows it from the built module: every cmdlet and parameter described, the markdown in docs/en-US
# (the one source of help prose) in step with the cmdlets, types readable, -WhatIf/-Confirm in the syntax, links that
# resolve. tools/Build-Help.ps1 refuses some of this at build time; these tests hold the shipped result to it.
BeforeDiscovery {
    . "$PSScriptRoot/common.ps1"
    $cmdletNames = (Import-PowerShellDataFile $ModuleManifest).CmdletsToExport
}

BeforeAll {
    . "$PSScriptRoot/common.ps1"
    $manifest = Import-PowerShellDataFile $ModuleManifest
    Import-Module $ModuleManifest -Force
    $docsPath = Join-Path $PSScriptRoot '../docs/en-US'
    # -WhatIf and -Confirm are documented per cmdlet (what they do there); the other common parameters are not.
    $commonParameters = [System.Management.Automation.Cmdlet]::CommonParameters + 'UseTransaction'

    function Get-DocumentedParameter([string] $Name) {
        # The '### -X' headings under '## PARAMETERS' of the cmdlet's page.
        $section = $null
        foreach ($line in Get-Content -LiteralPath (Join-Path $docsPath "$Name.md")) {
            if ($line -match '^## (.+)$') { $section = $Matches[1].Trim(); continue }
            if ($section -eq 'PARAMETERS' -and $line -match '^### -(\S+)\s*$') { $Matches[1] }
        }
    }
}

Describe 'Help' {
    It '<_> has help: synopsis, description and examples' -ForEach $cmdletNames {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -BeLike "*$_ *[<]CommonParameters[>]*"   # not the auto-generated stub
        ($help.description.Text -join '').Trim() | Should -Not -BeNullOrEmpty
        @($help.examples.example).Count | Should -BeGreaterThan 0
        foreach ($example in @($help.examples.example)) {
            $example.code.Trim() | Should -Not -BeNullOrEmpty -Because "every example of $_ shows code"
        }
    }

    It '<_> describes every parameter but the common ones in Get-Help -Parameter' -ForEach $cmdletNames {
        $name = $_
        $parameters = (Get-Command $name).Parameters.Keys | Where-Object { $_ -notin $commonParameters }
        $undescribed = foreach ($parameter in $parameters) {
            $help = Get-Help $name -Parameter $parameter -ErrorAction SilentlyContinue
            if (-not ($help.description.Text -join '').Trim()) { $parameter }
        }
        $undescribed | Should -BeNullOrEmpty -Because "the help of $name must describe every parameter"
    }

    It "<_>'s page in docs/en-US has a section for each parameter and none for a parameter it does not have" -ForEach $cmdletNames {
        $name = $_
        $documented = @(Get-DocumentedParameter $name)
        $actual = @((Get-Command $name).Parameters.Keys | Where-Object { $_ -notin $commonParameters })
        @($documented | Where-Object { $_ -notin $actual }) | Should -BeNullOrEmpty -Because "docs/en-US/$name.md documents only parameters $name has"
        @($actual | Where-Object { $_ -notin $documented }) | Should -BeNullOrEmpty -Because "docs/en-US/$name.md documents every parameter of $name"
        @($documented | Group-Object | Where-Object Count -GT 1).Name | Should -BeNullOrEmpty -Because 'a parameter is documented once'
    }

    It 'has a page in docs/en-US for each exported cmdlet and none for a cmdlet it does not export' {
        $pages = (Get-ChildItem $docsPath -Filter '*.md').BaseName | Sort-Object
        $pages | Should -Be ($manifest.CmdletsToExport | Sort-Object)
    }

    It '<_> shows readable type names (no Nullable`1, no backtick generics)' -ForEach $cmdletNames {
        $help = Get-Help $_ -Full
        $names = @(
            $help.syntax | Out-String -Width 1000
            $help.parameters.parameter | ForEach-Object { $_.type.name; $_.parameterValue }
            $help.inputTypes.inputType.type.name
            $help.returnValues.returnValue.type.name
        ) | Where-Object { $_ }
        $names | Should -Not -BeNullOrEmpty
        $names | Should -Not -Match 'Nullable'
        $names | Should -Not -Match '`'
        # What a nullable parameter shows instead: its value type.
        if ($_ -eq 'New-VMSnapshot') {
            (Get-Help New-VMSnapshot -Parameter FailureDeadline).parameterValue | Should -Be 'TimeSpan'
        }
    }

    It '<_> shows -WhatIf and -Confirm in every syntax line exactly when it supports ShouldProcess' -ForEach $cmdletNames {
        $command = Get-Command $_
        $supportsShouldProcess = $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].SupportsShouldProcess
        $syntax = @((Get-Help $_).syntax.syntaxItem)
        $syntax.Count | Should -Be @($command.ParameterSets).Count
        foreach ($item in $syntax) {
            $names = @($item.parameter.name)
            ($names -contains 'WhatIf') | Should -Be $supportsShouldProcess -Because "a syntax line of $_"
            ($names -contains 'Confirm') | Should -Be $supportsShouldProcess -Because "a syntax line of $_"
        }
        $text = (Get-Help $_).syntax | Out-String -Width 1000
        if ($supportsShouldProcess) { $text | Should -Match ([regex]::Escape('[-WhatIf] [-Confirm] [<CommonParameters>]')) }
        else { $text | Should -Not -Match 'WhatIf' }
    }

    It '<_> has a HelpUri (Get-Help -Online) that is its page in docs/en-US of the project' -ForEach $cmdletNames {
        $uri = (Get-Command $_).HelpUri
        $uri | Should -Be "$($manifest.PrivateData.PSData.ProjectUri)/blob/main/docs/en-US/$_.md"
        Join-Path $docsPath "$_.md" | Should -Exist
    }

    It '<_> has RELATED LINKS: its online page first, then cmdlets and help topics of this module' -ForEach $cmdletNames {
        $links = @((Get-Help $_ -Full).relatedLinks.navigationLink)
        $links.Count | Should -BeGreaterThan 1 -Because 'the online page and at least one related command or topic'
        $links[0].linkText | Should -Be 'Online Version:'
        $links[0].uri | Should -Be (Get-Command $_).HelpUri
        foreach ($link in $links | Select-Object -Skip 1) {
            $target = $link.linkText.Trim()
            $target | Should -Not -Be $_ -Because 'a page does not link to itself'
            $known = $target -in $manifest.CmdletsToExport -or [bool](Get-Help $target -Category HelpFile -ErrorAction SilentlyContinue)
            $known | Should -BeTrue -Because "$_ links to '$target', which must be a cmdlet or help topic of this module"
        }
    }

    It '<_> shows RELATED LINKS in its full help' -ForEach $cmdletNames {
        (Get-Help $_ -Full | Out-String -Width 200) | Should -Match '(?m)^RELATED LINKS\s*\r?\n\s+Online Version: https://'
    }

    It 'Start-KubeVirtLab''s help gives the scale:NxM scenario, and its example of it runs as written' {
        $scenario = (Get-Help Start-KubeVirtLab -Parameter Scenario).description.Text -join ' '
        $scenario | Should -Match "'scale:NxM', e\.g\. scale:20x10"
        $scenario | Should -Match 'scale-001'
        $example = @((Get-Help Start-KubeVirtLab).examples.example | Where-Object code -Match '-Scenario scale:3x20')
        $example.Count | Should -Be 1
        $example = $example[0]

        try {
            $output = @(& ([scriptblock]::Create($example.code)))
        }
        finally {
            Get-KubeVirtLab | Where-Object Name -EQ 'kubevirt-lab' | Stop-KubeVirtLab -Confirm:$false
            Disconnect-KubeVirt
        }

        $output | Should -Be @(60) -Because 'the example counts 3 namespaces of 20 VMs and says so'
        $example.code | Should -Match '# 60:'
    }
}

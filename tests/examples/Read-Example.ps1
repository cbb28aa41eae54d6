# Finds the examples of the help pages (docs/en-US/*.md, "### Example N: title" then a ```powershell fence) and the
# ```powershell blocks of README.md, for tests/Examples.Tests.ps1.
#
# An HTML comment right before a fence says what the example needs (Build-Help.ps1 keeps only the fence and the text
# after it, so the comment never shows in Get-Help; GitHub does not render it):
#   <!-- example: scenario=empty -->          the lab scenario it runs against (default: the default scenario)
#   <!-- example: lab=prod-cluster -->        the lab's name, so the kubeconfig context has that name
#   <!-- example: fresh -->                   a lab of its own, not the one the page's other examples share
#   <!-- example: files=Invoke-NightlySnapshot.ps1 -->   files from tests/examples/ the example's folder holds
#   <!-- example: tls -->                     the lab serves HTTPS (Start-KubeVirtLab -UseTls), as kubectl needs
#   <!-- example: pwsh -->                    runs in a fresh pwsh (an example that imports the module itself)
#   <!-- example: serve -->                   serves until Ctrl+C (Start-KubeVirtLab -Wait): runs in a fresh pwsh
#                                             until its -KubeconfigPath exists, then the test runs kubectl against it
# Several settings go in one comment, separated by spaces.

function Read-ExampleMarker([string[]] $Lines) {
    $marker = @{ Scenario = 'default'; Lab = $null; Fresh = $false; Files = @(); Tls = $false; Pwsh = $false; Serve = $false }
    foreach ($line in $Lines) {
        if ($line -notmatch '^\s*<!--\s*example:\s*(.*?)\s*-->\s*$') { continue }
        foreach ($setting in ($Matches[1] -split '\s+')) {
            $key, $value = $setting -split '=', 2
            switch ($key) {
                'scenario' { $marker.Scenario = $value }
                'lab' { $marker.Lab = $value }
                'fresh' { $marker.Fresh = $true }
                'files' { $marker.Files = @($value -split ',') }
                'tls' { $marker.Tls = $true }
                'pwsh' { $marker.Pwsh = $true }
                'serve' { $marker.Serve = $true }
                default { throw "Unknown example marker setting '$setting' in: $line" }
            }
        }
    }
    $marker
}

function New-Example([string] $Page, [string] $Title, [string[]] $Code, [string[]] $Before) {
    $marker = Read-ExampleMarker $Before
    # A transcript ("PS> command" lines followed by what it printed): run the commands, keep the sample output.
    $transcript = @($Code | Where-Object { $_ -like 'PS> *' })
    $sample = @()
    if ($transcript.Count) {
        $sample = @($Code | Where-Object { $_ -notlike 'PS> *' })
        $Code = @($transcript | ForEach-Object { $_.Substring(4) })
    }
    $text = $Code -join "`n"
    @{   # a hashtable: Pester's -ForEach makes its keys the test's variables
        Page = $Page
        Title = $Title
        Key = "$Page/$Title"
        Code = $text
        SampleOutput = $sample
        # A Pester test (or part of one) runs in Invoke-Pester in a fresh pwsh; anything else in the test's session.
        IsPester = $text -match '(?m)^\s*(Describe|Context|It|BeforeAll|BeforeEach|Mock)\s'
        Scenario = $marker.Scenario
        Lab = $marker.Lab
        Fresh = $marker.Fresh
        Files = $marker.Files
        Tls = $marker.Tls
        Pwsh = $marker.Pwsh
        Serve = $marker.Serve
    }
}

function Read-HelpExample([string] $Path) {
    $page = [IO.Path]::GetFileNameWithoutExtension($Path)
    $section = $null; $title = $null; $before = @(); $code = $null
    foreach ($line in Get-Content -LiteralPath $Path) {
        if ($null -ne $code) {
            if ($line -eq '```') { New-Example $page $title $code $before; $code = $null; $title = $null }
            else { $code += $line }
            continue
        }
        if ($line -match '^## (.+)$') { $section = $Matches[1].Trim(); continue }
        if ($section -ne 'EXAMPLES') { continue }
        if ($line -match '^### (.+)$') { $title = $Matches[1].Trim(); $before = @(); continue }
        if ($title -and $line -eq '```powershell') { $code = @(); continue }
        if ($title) { $before += $line }
    }
}

function Read-ReadmeExample([string] $Path) {
    $heading = $null; $index = 0; $before = @(); $code = $null
    foreach ($line in Get-Content -LiteralPath $Path) {
        if ($null -ne $code) {
            if ($line -eq '```') { $index++; New-Example 'README' "$heading #$index" $code $before; $code = $null; $before = @() }
            else { $code += $line }
            continue
        }
        if ($line -match '^#{2,4} (.+)$') { $heading = $Matches[1].Trim(); $index = 0; $before = @(); continue }
        if ($line -eq '```powershell') { $code = @(); continue }
        if ($line -match '^```') { $before = @() }   # another language's block ends what a marker refers to
        $before = @($before | Select-Object -Last 2) + $line
    }
}

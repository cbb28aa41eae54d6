<#
.SYNOPSIS
Builds the module's MAML help (VmSnapshot.dll-Help.xml) from docs/en-US/*.md and the built cmdlets' metadata.

.DESCRIPTION
platyPS is the usual tool, but it is not served by NuGet (our only registry) and it ships a YamlDotNet that clashes
with other modules'. The markdown keeps platyPS's layout (SYNOPSIS, DESCRIPTION, EXAMPLES, PARAMETERS, INPUTS,
OUTPUTS, NOTES, RELATED LINKS) so moving to platyPS later is a rename. Syntax, parameter types, positions, pipeline
input, wildcard support and the online link (HelpUri) come from the compiled cmdlets, so they cannot drift from the
code; only prose comes from markdown, and the cmdlet classes carry none (no <para type=...> doc comments).
Runs in its own pwsh (build.ps1 starts it) because it imports the freshly built module.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $DocsPath
)

$ErrorActionPreference = 'Stop'
$module = Import-Module (Join-Path $ModulePath 'VmSnapshot.psd1') -PassThru
# -WhatIf and -Confirm are documented like the cmdlet's own parameters (each page says what they do there) and shown
# in the syntax, as PowerShell's own help does; the other common parameters are <CommonParameters>.
$shouldProcessParameters = 'WhatIf', 'Confirm'
$commonParameters = [System.Management.Automation.Cmdlet]::CommonParameters +
    ([System.Management.Automation.Cmdlet]::OptionalCommonParameters | Where-Object { $_ -notin $shouldProcessParameters })

function Get-HelpTypeName([type] $Type, [switch] $FullName) {
    # A reader wants TimeSpan, not Nullable`1 (its CLR name), and Dictionary[String, Object], not Dictionary`2.
    $underlying = [Nullable]::GetUnderlyingType($Type)
    if ($underlying) { $Type = $underlying }
    if ($Type.IsArray) { return "$(Get-HelpTypeName $Type.GetElementType() -FullName:$FullName)[]" }
    $name = if ($FullName) { "$($Type.Namespace).$($Type.Name)" } else { $Type.Name }
    if (-not $Type.IsGenericType) { return $name }
    $arguments = $Type.GetGenericArguments() | ForEach-Object { Get-HelpTypeName $_ -FullName:$FullName }
    "$($name -replace '`\d+$', '')[$($arguments -join ', ')]"
}

function Get-OwnParameter($Parameters) {
    # The parameters a page documents, -WhatIf and -Confirm last, as Get-Command's syntax shows them.
    $own = @($Parameters | Where-Object Name -NotIn $commonParameters)
    @($own | Where-Object Name -NotIn $shouldProcessParameters) + @($own | Where-Object Name -In $shouldProcessParameters)
}

function Read-HelpMarkdown([string] $Path) {
    # Splits the markdown into sections (## NAME) and, under EXAMPLES and PARAMETERS, sub-sections (### NAME).
    $doc = @{ Sections = @{}; Examples = [System.Collections.Generic.List[object]]::new(); Parameters = @{} }
    $section = $null; $sub = $null; $buffer = [System.Text.StringBuilder]::new()
    $flush = {
        $text = $buffer.ToString().Trim()
        if ($section -eq 'EXAMPLES' -and $sub) { $doc.Examples.Add([pscustomobject]@{ Title = $sub; Body = $text }) }
        elseif ($section -eq 'PARAMETERS' -and $sub) { $doc.Parameters[$sub.TrimStart('-')] = $text }
        elseif ($section -and -not $sub) { $doc.Sections[$section] = $text }
        [void]$buffer.Clear()
    }
    foreach ($line in Get-Content -LiteralPath $Path) {
        if ($line -match '^## (.+)$') { & $flush; $section = $Matches[1].Trim(); $sub = $null; continue }
        if ($line -match '^### (.+)$' -and $section -in 'EXAMPLES', 'PARAMETERS') { & $flush; $sub = $Matches[1].Trim(); continue }
        if ($line -match '^# ') { continue }
        [void]$buffer.AppendLine($line)
    }
    & $flush
    $doc
}

function Split-Example([string] $Body) {
    # The first ```powershell fence is the code; the text after it is the remarks.
    if ($Body -notmatch '(?s)```(?:powershell)?\r?\n(.*?)\r?\n```(.*)$') { throw "An example has no code fence: $Body" }
    [pscustomobject]@{ Code = $Matches[1]; Remarks = $Matches[2].Trim() }
}

$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
$maml = 'http://schemas.microsoft.com/maml/2004/10'
$command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$dev = 'http://schemas.microsoft.com/maml/dev/2004/10'

# The markdown's paragraphs as MAML paras: lines of one paragraph are joined, but each item of a list ("- ", "* ",
# "1. ") is a para of its own, so Get-Help shows a list as a list rather than one run-on paragraph.
function Get-Paragraphs([string] $Text) {
    foreach ($block in ($Text -split '\r?\n\s*\r?\n')) {
        $current = [System.Collections.Generic.List[string]]::new()
        foreach ($line in ($block -split '\r?\n')) {
            if ($line -match '^\s*([-*]|\d+\.)\s' -and $current.Count -gt 0) {
                ($current -join ' ').Trim()
                $current.Clear()
            }
            $current.Add($line.Trim())
        }
        ($current -join ' ').Trim()
    }
}

function Write-Paragraphs([System.Xml.XmlWriter] $Writer, [string] $Text) {
    $Writer.WriteStartElement('maml', 'description', $maml)
    foreach ($paragraph in (Get-Paragraphs $Text)) {
        $Writer.WriteElementString('maml', 'para', $maml, $paragraph)
    }
    $Writer.WriteEndElement()
}

function Write-Parameter([System.Xml.XmlWriter] $Writer, $Parameter, $SetData, [string] $Description) {
    $pipeline = @(
        if ($SetData.ValueFromPipeline) { 'ByValue' }
        if ($SetData.ValueFromPipelineByPropertyName) { 'ByPropertyName' }
    )
    $Writer.WriteStartElement('command', 'parameter', $command)
    $Writer.WriteAttributeString('required', $SetData.IsMandatory.ToString().ToLower())
    $Writer.WriteAttributeString('variableLength', $Parameter.ParameterType.IsArray.ToString().ToLower())
    $Writer.WriteAttributeString('globbing', ([bool]($Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })).ToString().ToLower())
    $Writer.WriteAttributeString('pipelineInput', $(if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' }))
    $Writer.WriteAttributeString('position', $(if ($SetData.Position -ge 0) { "$($SetData.Position)" } else { 'named' }))
    $Writer.WriteAttributeString('aliases', $(if ($Parameter.Aliases.Count) { $Parameter.Aliases -join ', ' } else { 'none' }))
    $Writer.WriteElementString('maml', 'name', $maml, $Parameter.Name)
    Write-Paragraphs $Writer $Description
    if ($Parameter.ParameterType -ne [System.Management.Automation.SwitchParameter]) {
        $Writer.WriteStartElement('command', 'parameterValue', $command)
        $Writer.WriteAttributeString('required', 'true')
        $Writer.WriteAttributeString('variableLength', $Parameter.ParameterType.IsArray.ToString().ToLower())
        $Writer.WriteString((Get-HelpTypeName $Parameter.ParameterType))
        $Writer.WriteEndElement()
    }
    $Writer.WriteStartElement('dev', 'type', $dev)
    $Writer.WriteElementString('maml', 'name', $maml, (Get-HelpTypeName $Parameter.ParameterType -FullName))
    $Writer.WriteEndElement()
    $Writer.WriteEndElement()
}

$culturePath = Join-Path $ModulePath 'en-US'
New-Item -ItemType Directory -Force $culturePath | Out-Null
# The conceptual topics (Get-Help about_VmSnapshot) ship as they are written.
Copy-Item (Join-Path $DocsPath 'about_*.help.txt') $culturePath
$helpFile = Join-Path $culturePath 'VmSnapshot.dll-Help.xml'
$writer = [System.Xml.XmlWriter]::Create($helpFile, $settings)
$writer.WriteStartDocument()
$writer.WriteStartElement('helpItems', 'http://msh')
$writer.WriteAttributeString('schema', 'maml')

foreach ($cmdlet in $module.ExportedCmdlets.Values | Sort-Object Name) {
    $markdown = Join-Path $DocsPath "$($cmdlet.Name).md"
    if (-not (Test-Path $markdown)) { throw "No help page for $($cmdlet.Name): $markdown" }
    $doc = Read-HelpMarkdown $markdown
    $own = Get-OwnParameter $cmdlet.Parameters.Values
    foreach ($parameter in $own) {
        if (-not $doc.Parameters[$parameter.Name]) { throw "$markdown documents no parameter -$($parameter.Name)." }
    }

    $writer.WriteStartElement('command', 'command', $command)
    $writer.WriteAttributeString('xmlns', 'maml', $null, $maml)
    $writer.WriteAttributeString('xmlns', 'dev', $null, $dev)
    $writer.WriteStartElement('command', 'details', $command)
    $writer.WriteElementString('command', 'name', $command, $cmdlet.Name)
    $writer.WriteElementString('command', 'verb', $command, $cmdlet.Verb)
    $writer.WriteElementString('command', 'noun', $command, $cmdlet.Noun)
    Write-Paragraphs $writer $doc.Sections['SYNOPSIS']
    $writer.WriteEndElement()
    Write-Paragraphs $writer $doc.Sections['DESCRIPTION']

    $writer.WriteStartElement('command', 'syntax', $command)
    foreach ($set in $cmdlet.ParameterSets) {
        $writer.WriteStartElement('command', 'syntaxItem', $command)
        $writer.WriteElementString('maml', 'name', $maml, $cmdlet.Name)
        foreach ($setParameter in Get-OwnParameter $set.Parameters) {
            Write-Parameter $writer $cmdlet.Parameters[$setParameter.Name] $setParameter $doc.Parameters[$setParameter.Name]
        }
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'parameters', $command)
    foreach ($parameter in $own) {
        $firstSet = $parameter.ParameterSets.Values | Select-Object -First 1
        Write-Parameter $writer $parameter $firstSet $doc.Parameters[$parameter.Name]
    }
    $writer.WriteEndElement()

    foreach ($kind in @(@('inputTypes', 'inputType', 'INPUTS'), @('returnValues', 'returnValue', 'OUTPUTS'))) {
        $writer.WriteStartElement('command', $kind[0], $command)
        $text = $doc.Sections[$kind[2]]
        foreach ($block in ($text -split '\r?\n\s*\r?\n' | Where-Object { $_.Trim() })) {
            $lines = $block.Trim() -split '\r?\n', 2
            $writer.WriteStartElement('command', $kind[1], $command)
            $writer.WriteStartElement('dev', 'type', $dev)
            $writer.WriteElementString('maml', 'name', $maml, $lines[0].Trim('#', ' ', '`'))
            $writer.WriteEndElement()
            Write-Paragraphs $writer $(if ($lines.Count -gt 1) { $lines[1] } else { '' })
            $writer.WriteEndElement()
        }
        $writer.WriteEndElement()
    }

    if ($doc.Sections['NOTES']) {
        $writer.WriteStartElement('maml', 'alertSet', $maml)
        $writer.WriteStartElement('maml', 'alert', $maml)
        foreach ($paragraph in (Get-Paragraphs $doc.Sections['NOTES'])) {
            $writer.WriteElementString('maml', 'para', $maml, $paragraph)
        }
        $writer.WriteEndElement()
        $writer.WriteEndElement()
    }

    $writer.WriteStartElement('command', 'examples', $command)
    if ($doc.Examples.Count -eq 0) { throw "$markdown has no examples." }
    foreach ($example in $doc.Examples) {
        $parts = Split-Example $example.Body
        $writer.WriteStartElement('command', 'example', $command)
        $writer.WriteElementString('maml', 'title', $maml, "-------------------------- $($example.Title) --------------------------")
        $writer.WriteElementString('dev', 'code', $dev, $parts.Code)
        $writer.WriteStartElement('dev', 'remarks', $dev)
        foreach ($paragraph in (Get-Paragraphs $parts.Remarks)) {
            $writer.WriteElementString('maml', 'para', $maml, $paragraph)
        }
        $writer.WriteEndElement()
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    # RELATED LINKS: the online page (the cmdlet's HelpUri, so Get-Help -Online opens it), then the page's own list of
    # [Name](Name.md) links, shown by name. A link to a help topic this module does not ship is a build error.
    if (-not $cmdlet.HelpUri) { throw "$($cmdlet.Name) has no HelpUri (set it in its [Cmdlet] attribute)." }
    if (-not $doc.Sections['RELATED LINKS']) { throw "$markdown has no RELATED LINKS." }
    $writer.WriteStartElement('maml', 'relatedLinks', $maml)
    $writer.WriteStartElement('maml', 'navigationLink', $maml)
    $writer.WriteElementString('maml', 'linkText', $maml, 'Online Version:')
    $writer.WriteElementString('maml', 'uri', $maml, $cmdlet.HelpUri)
    $writer.WriteEndElement()
    foreach ($line in ($doc.Sections['RELATED LINKS'] -split '\r?\n' | Where-Object { $_.Trim() })) {
        if ($line -notmatch '^\s*\[([^\]]+)\]\(([^)]*)\)\s*$') { throw "$markdown has a related link that is not [Name](target): $line" }
        $name = $Matches[1]
        if (-not ($module.ExportedCmdlets.ContainsKey($name) -or (Test-Path (Join-Path $DocsPath "$name.help.txt")))) {
            throw "$markdown links to $name, which is neither a cmdlet nor a help topic of this module."
        }
        $writer.WriteStartElement('maml', 'navigationLink', $maml)
        $writer.WriteElementString('maml', 'linkText', $maml, $name)
        $writer.WriteElementString('maml', 'uri', $maml, '')
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()
    $writer.WriteEndElement()
}

$writer.WriteEndElement()
$writer.WriteEndDocument()
$writer.Dispose()
Write-Host "Help: $helpFile"

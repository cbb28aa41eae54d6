<#
.SYNOPSIS
Builds the module's MAML help (VmSnapshot.dll-Help.xml) from docs/en-US/*.md and the built cmdlets' metadata.

.DESCRIPTION
platyPS is the usual tool, but it is not served by NuGet (our only registry) and it ships a YamlDotNet that clashes
with other modules'. The markdown keeps platyPS's layout (SYNOPSIS, DESCRIPTION, EXAMPLES, PARAMETERS, INPUTS,
OUTPUTS, NOTES) so moving to platyPS later is a rename. Syntax, parameter types, positions, pipeline input and
wildcard support come from the compiled cmdlets, so they cannot drift from the code; only prose comes from markdown.
Runs in its own pwsh (build.ps1 starts it) because it imports the freshly built module.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $DocsPath
)

$ErrorActionPreference = 'Stop'
$module = Import-Module (Join-Path $ModulePath 'VmSnapshot.psd1') -PassThru
$commonParameters = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters

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

function Write-Paragraphs([System.Xml.XmlWriter] $Writer, [string] $Text) {
    $Writer.WriteStartElement('maml', 'description', $maml)
    foreach ($paragraph in ($Text -split '\r?\n\s*\r?\n')) {
        $Writer.WriteElementString('maml', 'para', $maml, ($paragraph -replace '\s*\r?\n\s*', ' ').Trim())
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
        $Writer.WriteString($Parameter.ParameterType.Name)
        $Writer.WriteEndElement()
    }
    $Writer.WriteStartElement('dev', 'type', $dev)
    $Writer.WriteElementString('maml', 'name', $maml, $Parameter.ParameterType.FullName)
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
    $own = $cmdlet.Parameters.Values | Where-Object Name -NotIn $commonParameters
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
        foreach ($setParameter in $set.Parameters | Where-Object Name -NotIn $commonParameters) {
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
        foreach ($paragraph in ($doc.Sections['NOTES'] -split '\r?\n\s*\r?\n')) {
            $writer.WriteElementString('maml', 'para', $maml, ($paragraph -replace '\s*\r?\n\s*', ' ').Trim())
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
        foreach ($paragraph in ($parts.Remarks -split '\r?\n\s*\r?\n')) {
            $writer.WriteElementString('maml', 'para', $maml, ($paragraph -replace '\s*\r?\n\s*', ' ').Trim())
        }
        $writer.WriteEndElement()
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()
    $writer.WriteEndElement()
}

$writer.WriteEndElement()
$writer.WriteEndDocument()
$writer.Dispose()
Write-Host "Help: $helpFile"

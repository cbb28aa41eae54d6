<#
.SYNOPSIS
Benchmarks, run through build.ps1 -Task Bench. Figures are printed, never asserted: machines are noisy, so read
them as ratios within one run.

1. Startup: module import and first-call times in fresh sessions against the lab.
2. List: 10,000 snapshots across 20 namespaces: Get-VMSnapshot -AllNamespaces against kubectl get vmsnapshots -A -o json
   on the same lab, time to the first object, and the session's memory growth.
3. Fleet: Get-KubeVirtVM -AllNamespaces | New-VMSnapshot over 1,000 VMs in 10 namespaces against one snapshot in the same
   lab (lab clock at real speed), with the HTTP requests the lab served: the median of -FleetRuns runs, each in a new lab.
4. Faults: every fault the lab injects, at a realistic rate, while 200 VMs are snapshotted and pruned, a few restored
   and cloned, and 10,000 snapshots listed: made / duplicates / lost / errors / time against no faults.
#>
param([Parameter(Mandatory)] [string] $ModulePath, [int] $Runs = 5, [int] $FleetSize = 1000, [int] $FleetNamespaces = 10, [int] $FleetRuns = 3, [switch] $FaultsOnly, [switch] $StartupOnly, [switch] $FleetOnly, [switch] $ListOnly)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
. "$PSScriptRoot/common.ps1"
$manifest = Join-Path $ModulePath 'VmSnapshot.psd1'
Import-Module $manifest
$median = { param($values) @($values | Sort-Object)[[math]::Floor(@($values).Count / 2)] }
$quartiles = {
    param($values)
    $sorted = [double[]]@($values)
    [Array]::Sort($sorted)
    $sorted[[math]::Floor($sorted.Count / 4)], $sorted[[math]::Floor($sorted.Count / 2)], $sorted[[math]::Floor($sorted.Count * 3 / 4)]
}

function Measure-Startup {
    Write-Host "`n== Startup ($Runs fresh sessions)" -ForegroundColor Green
    $lab = Start-KubeVirtLab
    try {
        $probe = @"
`$sw = [Diagnostics.Stopwatch]::StartNew()
Import-Module '$manifest'
`$import = `$sw.Elapsed.TotalMilliseconds
`$sw.Restart()
Connect-KubeVirt -Kubeconfig '$($lab.KubeconfigPath)'
`$connect = `$sw.Elapsed.TotalMilliseconds
`$sw.Restart()
`$count = @(Get-VMSnapshot).Count
`$first = `$sw.Elapsed.TotalMilliseconds
`$sw.Restart()
`$count = @(Get-VMSnapshot).Count
`$second = `$sw.Elapsed.TotalMilliseconds
'{0:f1};{1:f1};{2:f1};{3:f1};{4}' -f `$import, `$connect, `$first, `$second, `$count
"@
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($probe))
        $pwsh = Get-PwshCommand
        # The anchor, measured in the same runs: a bare `pwsh -c 1` of the same PowerShell, started the same way.
        $rows = foreach ($run in 1..$Runs) {
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $null = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command 1
            $bare = $sw.Elapsed.TotalMilliseconds
            $sw.Restart()
            $line = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -EncodedCommand $encoded 2>$null   # its other streams come as CLIXML on stderr
            $session = $sw.Elapsed.TotalMilliseconds
            $parts = ($line | Select-Object -Last 1) -split ';'
            [pscustomobject]@{ Run = $run; BareMs = [math]::Round($bare); SessionMs = [math]::Round($session)
                ImportMs = [double]$parts[0]; ConnectMs = [double]$parts[1]; FirstGetMs = [double]$parts[2]
                WarmGetMs = [double]$parts[3]; Snapshots = [int]$parts[4] }
        }
        $rows | Format-Table | Out-String | Write-Host
        Write-Host ('Median: import {0:f0} ms, connect {1:f0} ms, first Get-VMSnapshot {2:f0} ms, warm Get-VMSnapshot {3:f0} ms' -f
            (& $median $rows.ImportMs), (& $median $rows.ConnectMs), (& $median $rows.FirstGetMs), (& $median $rows.WarmGetMs))
        Write-Host ('Cold start: a fresh pwsh that imports, connects and lists {0:f0} ms against a bare pwsh -c 1 {1:f0} ms ({2:f2}x)' -f
            (& $median $rows.SessionMs), (& $median $rows.BareMs), ((& $median $rows.SessionMs) / (& $median $rows.BareMs)))
    }
    finally {
        $lab | Stop-KubeVirtLab -Confirm:$false
    }
}

function New-ListScenario([int] $Namespaces, [int] $PerNamespace) {
    $path = Join-Path ([IO.Path]::GetTempPath()) "vmsnapshot-bench-list-$PID.yaml"
    $writer = [IO.StreamWriter]::new($path)
    try {
        $writer.WriteLine("apiVersion: lab.vmsnapshot.io/v1`nkind: LabSettings`nnamespace: bench-01")
        foreach ($n in 1..$Namespaces) {
            $ns = 'bench-{0:d2}' -f $n
            foreach ($i in 1..$PerNamespace) {
                $writer.WriteLine(@"
---
apiVersion: snapshot.kubevirt.io/v1beta1
kind: VirtualMachineSnapshot
metadata:
  name: vm-$($i % 50)-snapshot-$i
  namespace: $ns
  annotations:
    description: nightly
spec:
  source:
    apiGroup: kubevirt.io
    kind: VirtualMachine
    name: vm-$($i % 50)
status:
  phase: Succeeded
  readyToUse: true
  creationTime: "2026-11-20T10:00:00Z"
  indications: [Online, GuestAgent]
  virtualMachineSnapshotContentName: vmsnapshot-content-$ns-$i
  snapshotVolumes:
    includedVolumes: [rootdisk, datadisk]
"@)
            }
        }
    }
    finally {
        $writer.Dispose()
    }
    $path
}

function Measure-List {
    Write-Host "`n== List: 10,000 snapshots in 20 namespaces" -ForegroundColor Green
    $scenario = New-ListScenario -Namespaces 20 -PerNamespace 500
    [GC]::Collect()
    $sessionBefore = (Get-Process -Id $PID).WorkingSet64
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $lab = Start-KubeVirtLab -Scenario $scenario -UseTls -Name bench-list
    Write-Host ("Lab started with the scenario in {0:f1} s" -f $sw.Elapsed.TotalSeconds)
    try {
        $connection = Connect-KubeVirt -Kubeconfig $lab.KubeconfigPath -PassThru
        $cache = Join-Path ([IO.Path]::GetTempPath()) "vmsnapshot-bench-kubectl-$PID"
        $kubectl = Get-Command kubectl -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1 -ExpandProperty Source
        # The anchor: the same objects paged over the wire by a bare HttpClient in this process (limit 500, as the
        # module pages), each page parsed, so the ratio shows what the module adds to the transfer itself. The lab's CA
        # is its own self-signed one on loopback; this bench client trusts it without checking.
        $handler = [System.Net.Http.HttpClientHandler]::new()
        $handler.ServerCertificateCustomValidationCallback = [System.Net.Http.HttpClientHandler]::DangerousAcceptAnyServerCertificateValidator
        $wire = [System.Net.Http.HttpClient]::new($handler)
        $wire.DefaultRequestHeaders.Authorization = [System.Net.Http.Headers.AuthenticationHeaderValue]::new('Bearer',
            [System.Net.NetworkCredential]::new('', $lab.GetToken()).Password)
        $pagedList = {
            $objects = 0; $continue = ''
            do {
                $uri = "$($lab.Server)apis/snapshot.kubevirt.io/v1beta1/virtualmachinesnapshots?limit=500" +
                    $(if ($continue) { "&continue=$([Uri]::EscapeDataString($continue))" })
                $document = [System.Text.Json.JsonDocument]::Parse([System.ReadOnlyMemory[byte]]$wire.GetByteArrayAsync($uri).GetAwaiter().GetResult(), [System.Text.Json.JsonDocumentOptions]::new())
                $objects += $document.RootElement.GetProperty('items').GetArrayLength()
                $metadata = $document.RootElement.GetProperty('metadata')
                $token = [System.Text.Json.JsonElement]::new()
                $continue = if ($metadata.TryGetProperty('continue', [ref]$token)) { $token.GetString() } else { '' }
                $document.Dispose()
            } while ($continue)
            $objects
        }
        # Warm-up: JIT (tiered: a method is recompiled after about 30 calls), the connection pools, the lab's code.
        foreach ($i in 1..40) { $null = & $pagedList; $null = Get-VMSnapshot -AllNamespaces -Connection $connection }
        if ($kubectl) { $null = & $kubectl --kubeconfig $lab.KubeconfigPath --cache-dir $cache get vmsnapshots -A -o json }

        # Module and anchor run in turn, and each pair gives a ratio: the wall time of either drifts by a third
        # between minutes on a shared 2-core machine, the ratio of neighbours much less.
        $pairs = foreach ($run in 1..15) {
            [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
            $memoryBefore = [GC]::GetTotalMemory($true)
            # Collected into a variable: a ForEach-Object block would add PowerShell's own cost per object (about 60 ms
            # for 10,000 here) to the module's.
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $all = Get-VMSnapshot -AllNamespaces -Connection $connection
            $module = $sw.Elapsed.TotalMilliseconds
            $growth = [GC]::GetTotalMemory($false) - $memoryBefore
            $count = $all.Count
            $all = $null
            [GC]::Collect()
            $sw.Restart()
            $wireObjects = & $pagedList
            $wireMs = $sw.Elapsed.TotalMilliseconds
            if ($wireObjects -ne $count) { throw "The paged list saw $wireObjects objects, Get-VMSnapshot $count." }
            [pscustomobject]@{ Objects = $count; ModuleMs = $module; PagedListMs = $wireMs; Ratio = $module / $wireMs; GrowthMB = $growth / 1MB }
        }
        # The first object: the list stopped there, as Select-Object -First stops it.
        $first = foreach ($run in 1..5) {
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $null = Get-VMSnapshot -AllNamespaces -Connection $connection | Select-Object -First 1
            $sw.Elapsed.TotalMilliseconds
        }
        $kubectlRuns = if ($kubectl) {
            foreach ($run in 1..3) {
                $sw = [Diagnostics.Stopwatch]::StartNew()
                $null = & $kubectl --kubeconfig $lab.KubeconfigPath --cache-dir $cache get vmsnapshots -A -o json
                $sw.Elapsed.TotalMilliseconds
            }
        }
        $ratio = & $quartiles $pairs.Ratio
        $moduleMedian = (& $quartiles $pairs.ModuleMs)[1]
        Write-Host ('{0} objects in each of {1} runs, module and paged list in turn.' -f $pairs[0].Objects, @($pairs).Count)
        Write-Host ('Median: Get-VMSnapshot -AllNamespaces {0:f0} ms against a bare paged list of the same objects in this process {1:f0} ms; ratio per pair {2:f2}x (quartiles {3:f2}-{4:f2})' -f
            $moduleMedian, (& $quartiles $pairs.PagedListMs)[1], $ratio[1], $ratio[0], $ratio[2])
        Write-Host ('First object after {0:f0} ms (median of 5); managed memory grew {1:f1} MB while the list was held (median).' -f
            (& $quartiles $first)[1], (& $quartiles $pairs.GrowthMB)[1])
        $wire.Dispose()
        if ($kubectl) {
            $kubectlMedian = (& $quartiles $kubectlRuns)[1]
            Write-Host ('kubectl get -A -o json: {0:f0} ms (median of 3); Get-VMSnapshot -AllNamespaces takes {1:f2} of it' -f
                $kubectlMedian, ($moduleMedian / $kubectlMedian))
        }
        else {
            Write-Host 'kubectl is not installed: skipped its measurement.'
        }
        Write-Host ('Lab process working set: {0:f0} MB' -f ((Get-Process -Id $PID).WorkingSet64 / 1MB))

        # The lab holding 10,000 snapshots and 1,000 VMs at once, measured in a fresh session (this one holds the
        # benchmark's own results) against that session before the labs started.
        $held = @"
`$ProgressPreference = 'SilentlyContinue'
Import-Module '$manifest'
[GC]::Collect(2, [GCCollectionMode]::Aggressive, `$true, `$true)
`$before = (Get-Process -Id `$PID).WorkingSet64
`$sw = [Diagnostics.Stopwatch]::StartNew()
`$snapshots = Start-KubeVirtLab -Scenario '$scenario' -Name held-snapshots
`$seedSnapshots = `$sw.Elapsed.TotalSeconds
`$sw.Restart()
`$vms = Start-KubeVirtLab -Scenario 'scale:10x100' -Name held-vms
`$seedVms = `$sw.Elapsed.TotalSeconds
Start-Sleep -Seconds 2
[GC]::Collect(2, [GCCollectionMode]::Aggressive, `$true, `$true)
'{0:f0};{1:f0};{2:f0};{3:f1};{4:f1}' -f (`$before / 1MB), ((Get-Process -Id `$PID).WorkingSet64 / 1MB), ([GC]::GetTotalMemory(`$true) / 1MB), `$seedSnapshots, `$seedVms
`$snapshots, `$vms | Stop-KubeVirtLab -Confirm:`$false
"@
        $pwsh = Get-PwshCommand
        $line = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -EncodedCommand ([Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($held)))
        $parts = ($line | Select-Object -Last 1) -split ';'
        Write-Host ('Labs holding 10,000 snapshots and 1,000 running VMs, in a fresh session: working set {1} MB (the session before: {0} MB), managed heap {2} MB; seeded in {3} s and {4} s' -f $parts)
        Remove-Item $cache -Recurse -Force -ErrorAction SilentlyContinue
    }
    finally {
        $lab | Stop-KubeVirtLab -Confirm:$false
        Remove-Item $scenario -ErrorAction SilentlyContinue
    }
}

function Measure-Fleet {
    $perNamespace = [math]::Ceiling($FleetSize / $FleetNamespaces)
    Write-Host "`n== Fleet: Get-KubeVirtVM -AllNamespaces | New-VMSnapshot over $FleetSize VMs in $FleetNamespaces namespaces (lab clock at real speed; $FleetRuns runs, each in a new lab)" -ForegroundColor Green
    # One run's fleet time moves by a fifth between runs on a shared 2-core machine (7.5-9.2 s in one stop's runs), so
    # the ratio is the median of several runs, each against its own single snapshot in the same lab. The first run is
    # the process's first fleet (its code not yet compiled to the optimizing tier), as in a runbook; the table shows it.
    $rows = foreach ($run in 1..$FleetRuns) {
        $lab = Start-KubeVirtLab -Scenario "scale:${FleetNamespaces}x$perNamespace" -Name bench-fleet
        try {
            $connection = Connect-KubeVirt -Kubeconfig $lab.KubeconfigPath -PassThru
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $one = New-VMSnapshot -VMName vm-0001 -Namespace scale-001 -Name single -Connection $connection
            $single = $sw.Elapsed.TotalSeconds
            if (-not $one.ReadyToUse) { throw 'The single snapshot did not become ready.' }

            [GC]::Collect()
            $heapBefore = [GC]::GetTotalMemory($true)
            $requestsBefore = $lab.RequestCount
            $process = Get-Process -Id $PID
            $cpuBefore = $process.TotalProcessorTime
            $sw.Restart()
            $vms = @(Get-KubeVirtVM -AllNamespaces -Connection $connection | Where-Object { -not ($_.Namespace -eq 'scale-001' -and $_.Name -eq 'vm-0001') })
            $results = @($vms | New-VMSnapshot -Connection $connection)
            $fleet = $sw.Elapsed.TotalSeconds
            $process.Refresh()
            $cpu = ($process.TotalProcessorTime - $cpuBefore).TotalSeconds
            [pscustomobject]@{
                Run = $run; SingleS = [math]::Round($single, 2); FleetS = [math]::Round($fleet, 2); Ratio = [math]::Round($fleet / $single, 2)
                # Module and lab share this process and the machine's cores: CPU seconds over wall seconds says how
                # much of the fleet was waiting (the lab's CSI delay, its controllers' queue) and how much was work.
                CpuS = [math]::Round($cpu, 1); Cores = [math]::Round($cpu / $fleet, 2)
                VMs = $vms.Count; Ready = @($results | Where-Object ReadyToUse).Count; Requests = $lab.RequestCount - $requestsBefore
                HeapBeforeMB = [int]($heapBefore / 1MB); HeapAfterMB = [int]([GC]::GetTotalMemory($false) / 1MB)
                WorkingSetMB = [int]((Get-Process -Id $PID).WorkingSet64 / 1MB)
            }
        }
        finally {
            $lab | Stop-KubeVirtLab -Confirm:$false
        }
    }
    $rows | Format-Table | Out-String | Write-Host
    $middle = $rows | Sort-Object Ratio | Select-Object -Index ([math]::Floor(@($rows).Count / 2))
    Write-Host ('One snapshot: {0:f2} s. {1} VMs: {2:f2} s ({3:f2}x one snapshot, the median run; runs {4}); {5} ready.' -f
        $middle.SingleS, $middle.VMs, $middle.FleetS, $middle.Ratio, (($rows.Ratio | ForEach-Object { '{0:f2}x' -f $_ }) -join ', '), $middle.Ready)
    Write-Host ('HTTP requests for the fleet: {0} ({1:f2} per VM, including Get-KubeVirtVM''s lists and the shared watches).' -f $middle.Requests, ($middle.Requests / $middle.VMs))
    Write-Host ('CPU while the fleet ran (module and lab together): {0:f1} s in {1:f2} s, {2:f2} of {3} cores.' -f $middle.CpuS, $middle.FleetS, $middle.Cores, [Environment]::ProcessorCount)
    Write-Host ('Session (module and lab in one process): managed heap {0} MB -> {1} MB while the fleet ran; working set {2} MB.' -f
        $middle.HeapBeforeMB, $middle.HeapAfterMB, $middle.WorkingSetMB)
}

function Measure-Faults {
    Write-Host "`n== Faults: what a runbook sees on a flaky cluster (lab clock at real speed; fault rates per matching request)" -ForegroundColor Green
    $faults = [ordered]@{
        'none'         = @()
        'throttle'     = @(@{ fault = 'throttle'; rate = 0.1; retryAfter = 1 })
        'error'        = @(@{ fault = 'error'; rate = 0.03 })
        'unavailable'  = @(@{ fault = 'unavailable'; rate = 0.05 })
        'reset'        = @(@{ fault = 'reset'; rate = 0.03 })
        'lostResponse' = @(@{ fault = 'lostResponse'; rate = 0.03 })
        'truncate'     = @(@{ fault = 'truncate'; rate = 0.03 })
        'closeWatch'   = @(@{ fault = 'closeWatch'; duration = '2s' })
        'expireWatch'  = @(@{ fault = 'expireWatch'; rate = 0.5 })
        'slow'         = @(@{ fault = 'slow'; rate = 0.1; delay = '200ms' })
        'restart'      = @(@{ fault = 'restart'; verbs = 'create', 'delete'; sequence = 100; duration = '2s' })
    }
    $listScenario = New-ListScenario -Namespaces 20 -PerNamespace 500
    $rows = [Collections.Generic.List[object]]::new()
    $baseline = @{}

    # Runs one operation with the fault rule on, then off; returns what it output, its errors, the seconds and the faults.
    function Invoke-Faulted([hashtable[]] $Rule, [int] $Seed, [scriptblock] $Operation) {
        Set-KubeVirtLabFault -Rule $Rule -Seed $Seed
        $ErrorActionPreference = 'Continue'   # count the errors instead of stopping at the first
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $all = @(& $Operation 2>&1)
        $seconds = $sw.Elapsed.TotalSeconds
        $injected = [int](Get-KubeVirtLabFault | Measure-Object Injected -Sum).Sum
        Set-KubeVirtLabFault -Rule @()
        [pscustomobject]@{
            Output = @($all | Where-Object { $_ -isnot [Management.Automation.ErrorRecord] })
            Errors = @($all | Where-Object { $_ -is [Management.Automation.ErrorRecord] }).Count
            Seconds = $seconds; Faults = $injected
        }
    }

    function Add-Row([string] $Fault, [string] $Operation, $Run, [int] $Made, [int] $Duplicates, [int] $Lost) {
        if ($Fault -eq 'none') { $baseline[$Operation] = $Run.Seconds }
        $rows.Add([pscustomobject]@{
                Fault = $Fault; Operation = $Operation; Faults = $Run.Faults; Made = $Made; Duplicates = $Duplicates
                Lost = $Lost; Errors = $Run.Errors; Seconds = [math]::Round($Run.Seconds, 2)
                VsNone = '{0:f2}x' -f ($Run.Seconds / $baseline[$Operation])
            })
    }

    try {
        $index = 0
        foreach ($name in $faults.Keys) {
            $rule = $faults[$name]
            $seed = 100 * $index++   # each fault kind draws its own requests

            # 200 VMs in two namespaces: snapshot them all, then remove them all.
            $lab = Start-KubeVirtLab -Scenario 'scale:2x100' -Name 'bench-faults' -Connect
            try {
                $run = Invoke-Faulted $rule ($seed + 1) { Get-KubeVirtVM -AllNamespaces | New-VMSnapshot -Label @{ bench = 'faults' } }
                $stored = @(Get-VMSnapshot -AllNamespaces -Label @{ bench = 'faults' })
                $perVm = @($stored | Group-Object Namespace, VMName).Count
                Add-Row $name 'snapshot 200 VMs' $run $run.Output.Count ($stored.Count - $perVm) (200 - $perVm)

                $run = Invoke-Faulted $rule ($seed + 2) { $stored | Remove-VMSnapshot -Wait -Confirm:$false }
                $left = @(Get-VMSnapshot -AllNamespaces -Label @{ bench = 'faults' }).Count
                Add-Row $name 'remove 200 snapshots' $run ($stored.Count - $left) 0 $left
            }
            finally {
                $lab | Stop-KubeVirtLab -Confirm:$false
            }

            # Three VMs restored in place (each restore stops and starts its VM) and cloned.
            $lab = Start-KubeVirtLab -Scenario 'scale:1x3' -Name 'bench-faults-restore' -ClockSpeed 10 -Connect
            try {
                $snapshots = @(Get-KubeVirtVM | New-VMSnapshot)
                $mark = Checkpoint-KubeVirtLab
                $run = Invoke-Faulted $rule ($seed + 3) { $snapshots | Restore-VMSnapshot -StopVM -StartVM -Confirm:$false -PassThru }
                $created = @(Get-KubeVirtLabChange -Since $mark | Where-Object { $_.Kind -eq 'VirtualMachineRestore' -and $_.Change -eq 'Created' }).Count
                Add-Row $name 'restore 3 VMs' $run $created ($created - @($run.Output | Where-Object Complete).Count) (3 - $created)

                $mark = Checkpoint-KubeVirtLab
                $run = Invoke-Faulted $rule ($seed + 4) { $snapshots | ForEach-Object { $_ | New-VMClone -Name "$($_.VMName)-copy" } }
                $created = @(Get-KubeVirtLabChange -Since $mark | Where-Object { $_.Kind -eq 'VirtualMachineClone' -and $_.Change -eq 'Created' }).Count
                Add-Row $name 'clone 3 VMs' $run $created ($created - $run.Output.Count) (3 - $created)
            }
            finally {
                $lab | Stop-KubeVirtLab -Confirm:$false
            }

            # 10,000 snapshots listed across 20 namespaces.
            $lab = Start-KubeVirtLab -Scenario $listScenario -Name 'bench-faults-list' -Connect
            try {
                $run = Invoke-Faulted $rule ($seed + 5) { Get-VMSnapshot -AllNamespaces | ForEach-Object { "$($_.Namespace)/$($_.Name)" } }
                $distinct = @($run.Output | Sort-Object -Unique).Count
                Add-Row $name 'list 10,000 snapshots' $run $run.Output.Count ($run.Output.Count - $distinct) (10000 - $distinct)
            }
            finally {
                $lab | Stop-KubeVirtLab -Confirm:$false
            }
        }
    }
    finally {
        Remove-Item $listScenario -ErrorAction SilentlyContinue
    }
    $rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
}

if ($FaultsOnly) {
    Measure-Faults
    return
}

if ($StartupOnly) {
    Measure-Startup
    return
}

if ($ListOnly) {
    Measure-List
    return
}

if ($FleetOnly) {
    Measure-Fleet
    return
}

Measure-Startup
Measure-List
Measure-Fleet
Measure-Faults

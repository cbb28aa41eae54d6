<#
.SYNOPSIS
A user's change script, as the examples of Get-KubeVirtLabChange and README.md test it: a nightly snapshot of the
named VMs, labelled for the nightly retention policy, keeping the last 7 of each.
#>
[CmdletBinding(SupportsShouldProcess)]
param([Parameter(Mandatory)] [string[]] $VMName)

$policy = @{ 'vmsnapshot.io/policy' = 'nightly' }
Get-KubeVirtVM -Name $VMName | New-VMSnapshot -Label $policy
Remove-VMSnapshot -VMName $VMName -Label $policy -KeepLast 7 -Confirm:$false

using System.Collections.ObjectModel;
using System.Management.Automation;
using VmSnapshot.Core.Health;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// The -HealthCheck script block of Test-VMHealth and Invoke-VMChange as a health check: it gets the VM and the
/// health so far; $true passes, a throw or anything else fails (with what it returned or threw). Call it on the
/// pipeline thread: a script block belongs to the runspace of the command.
/// </summary>
internal static class ScriptHealthCheck
{
    public static VMHealthCheck Run(ScriptBlock script, KubeVirtVM vm, KubeVirtVMHealth health)
    {
        VMHealthCheck check = new() { Name = HealthCheckNames.Script };
        try
        {
            Collection<PSObject> output = script.Invoke(vm, health);
            object? value = output.Count == 1 ? output[0]?.BaseObject : output.Count == 0 ? null : output;
            bool passed = value is bool b && b;
            check.Status = passed ? HealthCheckStatus.Pass : HealthCheckStatus.Fail;
            check.Message = passed
                ? "-HealthCheck returned $true."
                : $"-HealthCheck returned {(value is null ? "nothing" : LanguagePrimitives.ConvertTo<string>(value))}, not $true.";
        }
        catch (RuntimeException e) when (e is not PipelineStoppedException)
        {
            check.Status = HealthCheckStatus.Fail;
            check.Message = $"-HealthCheck failed: {e.Message}";
        }

        return check;
    }
}

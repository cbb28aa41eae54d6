using System.Management.Automation;
using VmSnapshot.Lab;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>Finds the running lab a lab cmdlet works on: the one given, else the session's, else the only one.</summary>
internal static class LabTarget
{
    /// <summary>The lab and its server, or an ErrorRecord saying why there is none.</summary>
    public static (KubeVirtLabInfo? Lab, LabServer? Server, ErrorRecord? Error) Resolve(KubeVirtLabInfo? given)
    {
        string reason = string.Empty;
        KubeVirtLabInfo? lab = given ?? LabRegistry.Default(out reason);
        if (lab is null)
        {
            return (null, null, ErrorRecords.Create(new InvalidOperationException(reason), ErrorIds.LabNotFound,
                ErrorCategory.ObjectNotFound, null, "Start a lab with Start-KubeVirtLab, or pass -Lab."));
        }

        return LabRegistry.ServerOf(lab.Id) is LabServer server
            ? (lab, server, null)
            : (lab, null, LabChanges.NotRunning(lab));
    }
}

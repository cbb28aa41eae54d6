using System.Management.Automation;
using VmSnapshot.Core.Api;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>Turns labels or annotations the API server would refuse (found before anything is sent) into an ErrorRecord.</summary>
internal static class MetadataErrors
{
    /// <summary>InvalidLabel or InvalidAnnotation, InvalidArgument, the offending value (shortened) as target.</summary>
    public static ErrorRecord For(MetadataProblem problem, string nothingDone)
    {
        string value = ObjectMetadata.Shorten(problem.Value);
        ArgumentException e = new($"{problem.Message}. {nothingDone}");
        return problem.Field switch
        {
            MetadataField.Label => ErrorRecords.Create(e, ErrorIds.InvalidLabel, ErrorCategory.InvalidArgument, value,
                "Label keys are [prefix/]name, the name and each value at most 63 letters, digits, '-', '_' and '.' starting and ending with a letter or digit, e.g. @{ change = 'CHG0042' }."),
            MetadataField.AnnotationSize => ErrorRecords.Create(e, ErrorIds.InvalidAnnotation, ErrorCategory.InvalidArgument, value,
                "Shorten -Description: all of an object's annotations together may hold at most 256 KiB. Keep long notes elsewhere and put a link in the description."),
            _ => ErrorRecords.Create(e, ErrorIds.InvalidAnnotation, ErrorCategory.InvalidArgument, value,
                "Annotation keys are [prefix/]name, the name at most 63 letters, digits, '-', '_' and '.' starting and ending with a letter or digit."),
        };
    }
}

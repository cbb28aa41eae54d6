using System.Globalization;
using System.Management.Automation;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// Lets -OlderThan take either an age (a TimeSpan such as (New-TimeSpan -Days 30) or '30.00:00:00') or a point in
/// time (a DateTime), and turns both into the cut-off time. Admins think in both.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PointInTimeTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc/>
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        switch (value)
        {
            case DateTime time:
                return time;
            case DateTimeOffset offset:
                return offset.LocalDateTime;
            case TimeSpan age:
                return DateTime.Now - age;
            case string text when TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan parsedAge):
                return DateTime.Now - parsedAge;
            case string text when DateTime.TryParse(text, CultureInfo.CurrentCulture, DateTimeStyles.AssumeLocal, out DateTime parsedTime):
                return parsedTime;
            default:
                throw new ArgumentTransformationMetadataException(
                    $"'{value}' is neither an age (TimeSpan, e.g. (New-TimeSpan -Days 30)) nor a point in time (DateTime).");
        }
    }
}

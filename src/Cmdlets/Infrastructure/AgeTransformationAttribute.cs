using System.Globalization;
using System.Management.Automation;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// Lets an age parameter (an expiry such as -ExpiresAfter or -KeepSnapshotFor) take what -OlderThan takes: a TimeSpan,
/// '14.00:00:00', or the short forms '14d', '12h', '30m'. A bare number is refused: PowerShell turns 7 into a TimeSpan
/// of 7 ticks, so -ExpiresAfter 7 made a snapshot that expired at once and went with the next Remove-VMSnapshot -Expired.
/// The sign and range are the cmdlet's to check (InvalidExpiry).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class AgeTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc/>
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        return value switch
        {
            null or TimeSpan => value,
            string text when AgeText.ShortAge(text) is { } age => age,
            string text when TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan parsed) => parsed,
            decimal or double or float or int or long => throw new ArgumentTransformationMetadataException(AgeText.NumberIsNotAnAge(value)),
            _ => throw new ArgumentTransformationMetadataException(
                $"'{value}' is not an age: give a TimeSpan such as (New-TimeSpan -Days 14), or '14d', '12h', '30m'."),
        };
    }
}

using System.Globalization;
using System.Management.Automation;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// Lets -OlderThan take either an age (a TimeSpan such as (New-TimeSpan -Days 30), '30.00:00:00', '7d', '12h') or a
/// point in time (a DateTime), and turns both into the cut-off time. Admins think in both. A zero or negative age and
/// a time in the future are refused: each would select every snapshot.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PointInTimeTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc/>
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        DateTime now = DateTime.Now;
        DateTime cutoff = value switch
        {
            DateTime time => time,
            DateTimeOffset offset => offset.LocalDateTime,
            TimeSpan age => now - Positive(age, age.ToString()),
            string text when AgeText.ShortAge(text) is { } age => now - Positive(age, text),
            string text when TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan parsedAge) => now - Positive(parsedAge, text),
            string text when DateTime.TryParse(text, CultureInfo.CurrentCulture, DateTimeStyles.AssumeLocal, out DateTime parsedTime) => parsedTime,
            // Unquoted, 7d is PowerShell's decimal literal 7 (and 1mb a number too): the 'd' never reaches the command.
            decimal or double or float or int or long => throw new ArgumentTransformationMetadataException(AgeText.NumberIsNotAnAge(value)),
            _ => throw new ArgumentTransformationMetadataException(
                $"'{value}' is neither an age (a TimeSpan such as (New-TimeSpan -Days 30), or '7d', '12h', '30m') nor a point in time (DateTime)."),
        };

        // A cut-off in the future would select every snapshot: "older than tomorrow" is a typo, not a policy.
        if (cutoff > now)
        {
            throw new ArgumentTransformationMetadataException(
                $"{cutoff} is in the future: -OlderThan takes a positive age or a point in time in the past.");
        }

        return cutoff;
    }

    /// <summary>The age itself, or a refusal that quotes what the user typed ('0d', not 00:00:00).</summary>
    private static TimeSpan Positive(TimeSpan age, string typed) => age > TimeSpan.Zero
        ? age
        : throw new ArgumentTransformationMetadataException(
            $"An age of '{typed}' is not allowed: -OlderThan takes a positive age, such as (New-TimeSpan -Days 30) or '30d'.");
}

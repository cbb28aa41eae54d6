using System.Globalization;
using System.Management.Automation;
using System.Text.RegularExpressions;

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
            string text when ShortAge(text) is { } age => now - Positive(age, text),
            string text when TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan parsedAge) => now - Positive(parsedAge, text),
            string text when DateTime.TryParse(text, CultureInfo.CurrentCulture, DateTimeStyles.AssumeLocal, out DateTime parsedTime) => parsedTime,
            // Unquoted, 7d is PowerShell's decimal literal 7 (and 1mb a number too): the 'd' never reaches the command.
            decimal or double or float or int or long => throw new ArgumentTransformationMetadataException(NumberIsNotAnAge(value)),
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

    /// <summary>The refusal of a number, in the user's own number when it is a whole one ('11d' for 11d typed).</summary>
    private static string NumberIsNotAnAge(object number)
    {
        string text = Convert.ToString(number, CultureInfo.InvariantCulture) ?? string.Empty;
        string days = decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal n) && n > 0 && n == decimal.Truncate(n)
            ? text
            : "7";
        return $"'{text}' is a number, not an age: without quotes PowerShell reads {days}d as the decimal number {days}. " +
            $"Quote a short age ('{days}d', '12h', '30m') or give (New-TimeSpan -Days {days}).";
    }

    /// <summary>The short forms admins type: 7d, 12h, 30m.</summary>
    private static TimeSpan? ShortAge(string text)
    {
        Match match = Regex.Match(text.Trim(), "^(-?[0-9]+)([dhm])$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        if (!match.Success || !int.TryParse(match.Groups[1].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int count))
        {
            return null;
        }

        return char.ToLowerInvariant(match.Groups[2].Value[0]) switch
        {
            'd' => TimeSpan.FromDays(count),
            'h' => TimeSpan.FromHours(count),
            _ => TimeSpan.FromMinutes(count),
        };
    }
}

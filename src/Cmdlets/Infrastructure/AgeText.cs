using System.Globalization;
using System.Text.RegularExpressions;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>The ages admins type ('7d', '12h', '30m') and the refusal of a bare number, shared by the age parameters.</summary>
internal static class AgeText
{
    /// <summary>The short forms admins type: 7d, 12h, 30m (a sign is kept, for the caller to refuse).</summary>
    public static TimeSpan? ShortAge(string text)
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

    /// <summary>The refusal of a number, in the user's own number when it is a whole one ('11d' for 11d typed).</summary>
    public static string NumberIsNotAnAge(object number)
    {
        string text = Convert.ToString(number, CultureInfo.InvariantCulture) ?? string.Empty;
        string days = decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal n) && n > 0 && n == decimal.Truncate(n)
            ? text
            : "7";
        return $"'{text}' is a number, not an age: without quotes PowerShell reads {days}d as the decimal number {days}. " +
            $"Quote a short age ('{days}d', '12h', '30m') or give (New-TimeSpan -Days {days}).";
    }
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace VmSnapshot.Lab.Time;

/// <summary>
/// Go's time.Duration text ("40s", "5m0s", "1h2m3.5s", "250ms", "0s"), as metav1.Duration fields
/// (failureDeadline, unfreezeTimeout) and the lab settings use it.
/// </summary>
/// <remarks>
/// The module has its own parser (src/Core/Text/GoDuration.cs) on purpose: the lab does not share code with the client
/// it tests, so a parsing or formatting mistake in one shows up as a disagreement instead of being hidden on both sides.
/// Both follow Go's time.ParseDuration / Duration.String (src/time/format.go).
/// </remarks>
public static partial class GoDuration
{
    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")]
    private static partial Regex Part();

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text)) return false;
        string s = text.Trim();
        bool negative = s.StartsWith('-');
        if (negative || s.StartsWith('+')) s = s[1..];
        if (s == "0") return true;
        int pos = 0;
        double ticks = 0;
        foreach (Match m in Part().Matches(s))
        {
            if (m.Index != pos) return false;
            pos += m.Length;
            double n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            ticks += m.Groups[2].Value switch
            {
                "ns" => n / 100,
                "us" or "µs" => n * 10,
                "ms" => n * TimeSpan.TicksPerMillisecond,
                "s" => n * TimeSpan.TicksPerSecond,
                "m" => n * TimeSpan.TicksPerMinute,
                _ => n * TimeSpan.TicksPerHour,
            };
        }
        if (pos != s.Length || pos == 0) return false;
        value = TimeSpan.FromTicks((long)(negative ? -ticks : ticks));
        return true;
    }

    /// <summary>Parses, or returns the fallback for null/invalid text.</summary>
    public static TimeSpan Parse(string? text, TimeSpan fallback) => TryParse(text, out TimeSpan v) ? v : fallback;

    /// <summary>Formats like Go's Duration.String(): "5m0s", "40s", "1h0m0s", "1.5s", "0s".</summary>
    public static string Format(TimeSpan d)
    {
        if (d == TimeSpan.Zero) return "0s";
        string sign = d < TimeSpan.Zero ? "-" : "";
        d = d.Duration();
        if (d < TimeSpan.FromSeconds(1)) return sign + (d.TotalMilliseconds).ToString("0.###", CultureInfo.InvariantCulture) + "ms";
        long h = (long)d.TotalHours;
        int m = d.Minutes;
        double sec = (d - TimeSpan.FromHours(h) - TimeSpan.FromMinutes(m)).TotalSeconds;
        string secText = sec.ToString("0.#########", CultureInfo.InvariantCulture) + "s";
        if (h > 0) return $"{sign}{h}h{m}m{secText}";
        if (m > 0) return $"{sign}{m}m{secText}";
        return sign + secText;
    }
}

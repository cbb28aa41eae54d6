using System.Globalization;

namespace VmSnapshot.Lab.Api;

/// <summary>Formatting the apiserver applies to Table cells.</summary>
internal static class Printing
{
    /// <summary>k8s.io/apimachinery/pkg/util/duration.HumanDuration: "45s", "5m30s", "3h12m", "4d2h", "2y15d".</summary>
    public static string HumanDuration(TimeSpan d)
    {
        long seconds = (long)d.TotalSeconds;
        if (seconds < -1) return "<invalid>";
        if (seconds < 0) return "0s";
        if (seconds < 60 * 2) return $"{seconds}s";
        long minutes = (long)d.TotalMinutes;
        if (minutes < 10)
        {
            long s = seconds % 60;
            return s == 0 ? $"{minutes}m" : $"{minutes}m{s}s";
        }
        if (minutes < 60 * 3) return $"{minutes}m";
        long hours = (long)d.TotalHours;
        if (hours < 8)
        {
            long m = minutes % 60;
            return m == 0 ? $"{hours}h" : $"{hours}h{m}m";
        }
        if (hours < 48) return $"{hours}h";
        if (hours < 24 * 8)
        {
            long h = hours % 24;
            return h == 0 ? $"{hours / 24}d" : $"{hours / 24}d{h}h";
        }
        if (hours < 24 * 365 * 2) return $"{hours / 24}d";
        if (hours < 24 * 365 * 8)
        {
            long dy = hours / 24 % 365;
            return dy == 0 ? $"{hours / 24 / 365}y" : $"{hours / 24 / 365}y{dy}d";
        }
        return $"{hours / 24 / 365}y";
    }

    /// <summary>Age of an RFC 3339 timestamp as the Table shows it; "&lt;unknown&gt;" when absent.</summary>
    public static string HumanAge(string? timestamp)
    {
        if (timestamp == null || !DateTime.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime t))
            return "<unknown>";
        return HumanDuration(DateTime.UtcNow - t);
    }
}

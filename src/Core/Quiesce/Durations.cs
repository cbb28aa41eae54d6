using System.Globalization;

namespace VmSnapshot.Core.Quiesce;

/// <summary>Short human durations for check messages: "850 ms", "4.2 s", "7 min", "3 h", "2 d".</summary>
internal static class Durations
{
    public static string Describe(TimeSpan span)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        return span switch
        {
            { TotalSeconds: < 1 } => $"{Math.Max(0, span.TotalMilliseconds).ToString("0", c)} ms",
            { TotalMinutes: < 1 } => $"{span.TotalSeconds.ToString("0.#", c)} s",
            { TotalHours: < 1 } => $"{span.TotalMinutes.ToString("0", c)} min",
            { TotalDays: < 2 } => $"{span.TotalHours.ToString("0", c)} h",
            _ => $"{span.TotalDays.ToString("0", c)} d",
        };
    }
}

using System.Globalization;
using System.Text;

namespace VmSnapshot.Core.Text;

/// <summary>
/// Go's time.Duration text ("5m0s", "40s", "1h30m", "250ms"), which metav1.Duration fields such as
/// spec.failureDeadline use. TimeSpan's own formats are not accepted by the API server. The lab has a separate
/// parser on purpose (see src/Lab/Time/GoDuration.cs).
/// </summary>
public static class GoDuration
{
    private static readonly (string Unit, double Ticks)[] s_units =
    {
        ("ns", 0.01), ("us", 10), ("µs", 10), ("ms", TimeSpan.TicksPerMillisecond), ("s", TimeSpan.TicksPerSecond),
        ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour),
    };

    /// <summary>Parses a Go duration; returns false for anything Go would reject.</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        int position = 0;
        bool negative = text[0] == '-';
        if (text[0] is '-' or '+')
        {
            position++;
        }

        if (text.AsSpan(position).SequenceEqual("0"))
        {
            return true;
        }

        double ticks = 0;
        bool any = false;
        while (position < text.Length)
        {
            int numberStart = position;
            while (position < text.Length && (char.IsAsciiDigit(text[position]) || text[position] == '.'))
            {
                position++;
            }

            if (position == numberStart ||
                !double.TryParse(text.AsSpan(numberStart, position - numberStart), NumberStyles.AllowDecimalPoint,
                    CultureInfo.InvariantCulture, out double number))
            {
                return false;
            }

            int unitStart = position;
            while (position < text.Length && !char.IsAsciiDigit(text[position]) && text[position] != '.')
            {
                position++;
            }

            string unit = text[unitStart..position];
            (string Unit, double Ticks) match = Array.Find(s_units, u => u.Unit == unit);
            if (match.Unit is null)
            {
                return false;
            }

            ticks += number * match.Ticks;
            any = true;
        }

        if (!any)
        {
            return false;
        }

        duration = TimeSpan.FromTicks((long)Math.Round(negative ? -ticks : ticks));
        return true;
    }

    /// <summary>Formats like Go's Duration.String(): "5m0s", "1h0m0s", "40s", "1.5s", "0s".</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }

        StringBuilder text = new();
        if (duration < TimeSpan.Zero)
        {
            text.Append('-');
            duration = duration.Negate();
        }

        if (duration < TimeSpan.FromSeconds(1))
        {
            return text.Append(duration.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)).Append("ms").ToString();
        }

        long hours = (long)duration.TotalHours;
        if (hours > 0)
        {
            text.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (hours > 0 || duration.Minutes > 0)
        {
            text.Append(duration.Minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        double seconds = duration.Seconds + (duration.Ticks % TimeSpan.TicksPerSecond / (double)TimeSpan.TicksPerSecond);
        return text.Append(seconds.ToString("0.#########", CultureInfo.InvariantCulture)).Append('s').ToString();
    }
}

using System.Diagnostics;
using System.Globalization;

namespace VmSnapshot.Core.Api;

/// <summary>
/// What happened to one call across its attempts, so a final failure can say what was retried, for how long, and
/// what state the cluster may be in.
/// </summary>
internal sealed class RetryLog(ApiRequest request)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<string> _failures = new();
    private bool _mayHaveActed;

    /// <summary>Sends so far.</summary>
    public int Attempts { get; private set; }

    public TimeSpan Elapsed => _clock.Elapsed;

    public int NextAttempt() => ++Attempts;

    /// <summary>Notes a failure that is about to be retried.</summary>
    public void Record(KubeApiException failure)
    {
        lock (_failures)
        {
            _failures.Add(Short(failure));
            _mayHaveActed |= !ApiRetry.CannotHaveActed(failure);
        }
    }

    /// <summary>"Sent 5 times over 31 s (429 x3, connection lost x2); ..." plus, for a write, what to check.</summary>
    public string Describe(KubeApiException last)
    {
        string[] failures;
        bool mayHaveActed;
        lock (_failures)
        {
            failures = _failures.Append(Short(last)).ToArray();
            mayHaveActed = _mayHaveActed || !ApiRetry.CannotHaveActed(last);
        }

        string counts = string.Join(", ", failures.GroupBy(f => f, StringComparer.Ordinal)
            .Select(g => g.Count() == 1 ? g.Key : $"{g.Key} x{g.Count()}"));
        string text = string.Create(CultureInfo.InvariantCulture,
            $"The request was sent {Attempts} times over {Elapsed.TotalSeconds:0.#} s ({counts}).");
        if (request.Verb is not ("get" or "list" or "watch") && mayHaveActed)
        {
            string what = request.Name is null ? request.Resource.QualifiedPlural : $"{request.Resource.Kind} '{request.Name}'";
            text += $" An earlier attempt may have reached the server: check {what} in namespace '{request.Namespace}' " +
                "before trying again.";
        }

        return text;
    }

    private static string Short(KubeApiException failure) => failure switch
    {
        { StatusCode: { } code } => code.ToString(CultureInfo.InvariantCulture),
        { ConnectionRefused: true } => "connection refused",
        { Kind: ApiErrorKind.Timeout } => "no answer in time",
        _ => "connection lost",
    };
}

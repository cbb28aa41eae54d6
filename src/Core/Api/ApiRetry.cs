using Polly;
using Polly.Retry;

namespace VmSnapshot.Core.Api;

/// <summary>
/// When an API call is sent again, and how long to wait first. A real API server throttles (API Priority and Fairness
/// answers 429 with Retry-After), restarts during an upgrade (503, connection refused) and loses connections at load
/// balancers; a runbook should ride through all of it. The policy is Polly's retry strategy (exponential backoff with
/// jitter, the server's Retry-After honoured) inside a budget of attempts and time; Ctrl+C and the caller's timeouts
/// cancel the wait like any other.
/// </summary>
/// <remarks>
/// What is safe to send again depends on the verb (as client-go's request.go decides per request with
/// IsRetryableResponse/checkWait, but wider, because the module can reconcile its own writes):
/// reads (get, list, watch), merge patches and deletes are idempotent and retried on every transient failure;
/// creates are retried too, because <see cref="CustomResources.CreateAsync"/> finds its own object by name and marker
/// before sending again; subresource PUTs (start, stop, freeze) are not idempotent, so they are only sent again when
/// the server cannot have acted on them: throttled (429), unavailable (503) or the connection refused.
/// </remarks>
internal static class ApiRetry
{
    /// <summary>At most this many sends of one call.</summary>
    public const int MaxAttempts = 8;

    /// <summary>No retry starts after this long since the first send.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);

    private static readonly ResiliencePropertyKey<RetryLog> s_log = new("vmsnapshot.api-retry");

    private static readonly ResiliencePipeline s_pipeline = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = MaxAttempts - 1,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(200),
            MaxDelay = TimeSpan.FromSeconds(8),
            ShouldHandle = args => ValueTask.FromResult(
                args.Outcome.Exception is KubeApiException failure &&
                args.Context.Properties.TryGetValue(s_log, out RetryLog? log) &&
                ShouldRetry(failure, log)),
            // The server's own wait wins over the computed backoff (null: use the backoff).
            DelayGenerator = args => ValueTask.FromResult(
                (args.Outcome.Exception as KubeApiException)?.RetryAfter is { } wait && wait > TimeSpan.Zero
                    ? wait
                    : (TimeSpan?)null),
            OnRetry = args =>
            {
                if (args.Context.Properties.TryGetValue(s_log, out RetryLog? log) && args.Outcome.Exception is KubeApiException failure)
                {
                    log.Record(failure);
                }

                return ValueTask.CompletedTask;
            },
        })
        .Build();

    /// <summary>Runs <paramref name="attempt"/> (given the attempt number, from 1) under the policy for the request's verb.</summary>
    public static async Task<T> RunAsync<T>(ApiRequest request, Func<int, CancellationToken, Task<KubeApiOutcome<T>>> attempt,
        CancellationToken cancelToken)
    {
        RetryLog log = new(request);
        ResilienceContext context = ResilienceContextPool.Shared.Get(cancelToken);
        context.Properties.Set(s_log, log);
        try
        {
            Outcome<T> outcome = await s_pipeline.ExecuteOutcomeAsync(static async (ctx, state) =>
            {
                KubeApiOutcome<T> result = await state.attempt(state.log.NextAttempt(), ctx.CancellationToken).ConfigureAwait(false);
                return result.Failure is { } failure ? Outcome.FromException<T>(failure) : Outcome.FromResult(result.Value!);
            }, context, (attempt, log)).ConfigureAwait(false);

            if (outcome.Exception is KubeApiException failed)
            {
                throw log.Attempts > 1 ? failed.WithRetryHistory(log.Attempts, log.Describe(failed)) : failed;
            }

            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Whether a failure is worth sending the request again for, within the budget.</summary>
    internal static bool ShouldRetry(KubeApiException failure, RetryLog log)
    {
        if (!IsTransient(failure) || (!IsIdempotent(failure.Request.Verb) && !CannotHaveActed(failure)) ||
            (failure.Request.FirstContact && failure.StatusCode is null))
        {
            return false;
        }

        // A Retry-After that ends past the budget would only be waited out to fail: stop now and say so.
        TimeSpan wait = failure.RetryAfter ?? TimeSpan.Zero;
        return log.Elapsed + wait < Budget;
    }

    /// <summary>Failures that say "not now" rather than "no": throttling, unavailability, lost connections, timeouts.</summary>
    internal static bool IsTransient(KubeApiException failure) =>
        (failure.Kind is ApiErrorKind.Throttled or ApiErrorKind.Unreachable or ApiErrorKind.Timeout ||
         (failure.Kind == ApiErrorKind.ServerError && failure.StatusCode is 500 or 502 or 503 or 504)) &&
        !IsUnknownHost(failure);

    /// <summary>A host name that does not resolve is a wrong address, not a server that is restarting.</summary>
    private static bool IsUnknownHost(Exception failure)
    {
        for (Exception? e = failure.InnerException; e is not null; e = e.InnerException)
        {
            if (e is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.HostNotFound or System.Net.Sockets.SocketError.NoData })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The server refused before acting: 429 (APF rejects before the handler), 503, or no connection at all.</summary>
    internal static bool CannotHaveActed(KubeApiException failure) =>
        failure.Kind == ApiErrorKind.Throttled || failure.StatusCode == 503 || failure.ConnectionRefused;

    /// <summary>
    /// Verbs whose repetition changes nothing more than the first send: reads, merge patches (the same keys set to the
    /// same values), deletes (a second DELETE finds the object gone or going), and creates, which reconcile by name.
    /// </summary>
    private static bool IsIdempotent(string verb) => verb is "get" or "list" or "watch" or "patch" or "delete" or "create";
}

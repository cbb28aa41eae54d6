namespace VmSnapshot.Core.Api;

/// <summary>
/// Runs one API call under the retry policy (<see cref="ApiRetry"/>) and translates whatever it throws, so callers
/// only ever see <see cref="KubeApiException"/>.
/// </summary>
internal static class ApiCall
{
    public static Task<T> RunAsync<T>(ApiRequest request, Func<CancellationToken, Task<T>> call,
        CancellationToken cancelToken) =>
        RunAsync(request, (_, ct) => call(ct), cancelToken);

    /// <summary>As above, with the attempt number (from 1) for calls that behave differently when sent again.</summary>
    public static Task<T> RunAsync<T>(ApiRequest request, Func<int, CancellationToken, Task<T>> call,
        CancellationToken cancelToken)
    {
        // Nothing is sent for a name or namespace the server would route somewhere else ("vm/status", "../").
        KubeNames.EnsureAddressable(request.Namespace, request.Name);
        return ApiRetry.RunAsync(request, async (attempt, ct) =>
        {
            try
            {
                return KubeApiOutcome<T>.Of(await call(attempt, ct).ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw; // The user pressed Ctrl+C (or the caller's timeout ended): not an API failure.
            }
            catch (Exception e)
            {
                return KubeApiOutcome<T>.Failed(ApiErrorTranslator.Translate(e, request, ct));
            }
        }, cancelToken);
    }
}

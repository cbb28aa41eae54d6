namespace VmSnapshot.Core.Api;

/// <summary>Runs one API call and translates whatever it throws, so callers only ever see <see cref="KubeApiException"/>.</summary>
internal static class ApiCall
{
    public static async Task<T> RunAsync<T>(ApiRequest request, Func<CancellationToken, Task<T>> call,
        CancellationToken cancelToken)
    {
        // Nothing is sent for a name or namespace the server would route somewhere else ("vm/status", "../").
        KubeNames.EnsureAddressable(request.Namespace, request.Name);
        try
        {
            return await call(cancelToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancelToken.IsCancellationRequested)
        {
            throw; // The user pressed Ctrl+C: not an API failure.
        }
        catch (Exception e)
        {
            throw ApiErrorTranslator.Translate(e, request, cancelToken);
        }
    }
}

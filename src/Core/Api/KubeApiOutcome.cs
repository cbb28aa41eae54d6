namespace VmSnapshot.Core.Api;

/// <summary>One attempt's result: a value, or the classified failure the retry policy decides on.</summary>
internal readonly record struct KubeApiOutcome<T>(T? Value, KubeApiException? Failure)
{
    public static KubeApiOutcome<T> Of(T value) => new(value, null);

    public static KubeApiOutcome<T> Failed(KubeApiException failure) => new(default, failure);
}

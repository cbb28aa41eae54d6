namespace VmSnapshot.Lab.Http;

/// <summary>The bytes on the wire were not a request we can serve; the connection is answered and closed.</summary>
internal sealed class HttpProtocolException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}

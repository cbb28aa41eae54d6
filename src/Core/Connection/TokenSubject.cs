using System.Text;
using System.Text.Json;

namespace VmSnapshot.Core.Connection;

/// <summary>
/// Reads who a bearer token belongs to, without verifying it (the API server does that). Service-account tokens
/// are JWTs whose "sub" is "system:serviceaccount:NS:NAME"; opaque tokens have no subject to read.
/// </summary>
internal static class TokenSubject
{
    public static string? TryRead(string token)
    {
        string[] parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            string payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
            using JsonDocument claims = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
            return claims.RootElement.TryGetProperty("sub", out JsonElement sub) && sub.ValueKind == JsonValueKind.String
                ? sub.GetString()
                : null;
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }
}

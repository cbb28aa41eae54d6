using System.Security.Cryptography;
using System.Text;

namespace VmSnapshot.Lab.Auth;

/// <summary>Maps "Authorization: Bearer &lt;token&gt;" to a lab user. Tokens are compared in constant time.</summary>
internal sealed class Authenticator(IEnumerable<LabUser> users)
{
    private volatile LabUser[] _users = users.ToArray();

    /// <summary>Puts <paramref name="rotated"/> in place of the user of the same name: the old token is refused from now on.</summary>
    public void Replace(LabUser rotated) =>
        _users = _users.Select(u => u.Name == rotated.Name ? rotated : u).ToArray();

    public LabUser? Authenticate(string? authorizationHeader)
    {
        if (authorizationHeader == null) return null;
        const string prefix = "Bearer ";
        if (!authorizationHeader.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return null;
        byte[] presented = Encoding.UTF8.GetBytes(authorizationHeader[prefix.Length..].Trim());
        foreach (LabUser u in _users)
            if (CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(u.Token))) return u;
        return null;
    }

    /// <summary>A random admin token: 32 bytes, URL-safe base64, different for every lab.</summary>
    public static string NewToken()
        => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

using System.Text;

namespace VmSnapshot.Lab.Kubeconfig;

/// <summary>
/// Writes a kubeconfig for the lab: one cluster (server, CA data when TLS), one user with the bearer
/// token, one context with the namespace, and current-context. The file is created readable by the owner only.
/// </summary>
internal static class KubeconfigWriter
{
    public static void Write(string path, string name, Uri server, string token, string ns, string? caPem)
    {
        StringBuilder sb = new();
        sb.Append("apiVersion: v1\nkind: Config\npreferences: {}\n");
        sb.Append("clusters:\n- name: ").Append(Quote(name)).Append("\n  cluster:\n    server: ").Append(Quote(server.ToString().TrimEnd('/'))).Append('\n');
        if (caPem != null) sb.Append("    certificate-authority-data: ").Append(Convert.ToBase64String(Encoding.ASCII.GetBytes(caPem))).Append('\n');
        sb.Append("users:\n- name: ").Append(Quote(name)).Append("\n  user:\n    token: ").Append(Quote(token)).Append('\n');
        sb.Append("contexts:\n- name: ").Append(Quote(name)).Append("\n  context:\n    cluster: ").Append(Quote(name))
          .Append("\n    user: ").Append(Quote(name)).Append("\n    namespace: ").Append(Quote(ns)).Append('\n');
        sb.Append("current-context: ").Append(Quote(name)).Append('\n');

        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        using (File.Create(path)) { }
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(path, sb.ToString());
    }

    /// <summary>Single-quoted YAML scalar, so names and tokens need no further escaping.</summary>
    private static string Quote(string s) => "'" + s.Replace("'", "''") + "'";
}

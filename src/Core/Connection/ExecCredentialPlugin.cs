using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using k8s.Authentication;
using k8s.KubeConfigModels;

namespace VmSnapshot.Core.Connection;

/// <summary>
/// Runs a kubeconfig's exec credential plugin (client.authentication.k8s.io, the ExecCredential protocol kubectl
/// implements in client-go plugin/pkg/client/auth/exec/exec.go) with a bound the caller chooses and Ctrl+C honours.
/// KubernetesClient runs the plugin itself inside BuildConfigFromConfigObject: it waits up to its static ExecTimeout
/// (two minutes) on the pipeline thread, cannot be cancelled, ignores the exit code and reports a plugin that failed
/// as a JSON parse error. Here a plugin that times out or is cancelled is killed with its child processes, and a
/// failure names the exit code and the plugin's own message. The token is renewed by running the plugin again when
/// its expirationTimestamp is near, as client-go does.
/// </summary>
public sealed class ExecCredentialPlugin : IRefreshableCredential
{
    /// <summary>How long a plugin may run when nothing else is said: long enough for a browser login, not for a hang.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan s_renewBefore = TimeSpan.FromSeconds(30);
    private readonly ExternalExecution _exec;
    private readonly string _userName;
    private readonly TimeSpan _timeout;
    private readonly SemaphoreSlim _renewing = new(1, 1);
    private string _token = string.Empty;
    private DateTimeOffset? _expires;

    private ExecCredentialPlugin(ExternalExecution exec, string userName, TimeSpan timeout)
    {
        _exec = exec;
        _userName = userName;
        _timeout = timeout;
    }

    /// <summary>Runs the plugin once (so a connection fails at once when it does) and returns a provider that renews.</summary>
    public static async Task<ExecCredentialPlugin> StartAsync(ExternalExecution exec, string userName, TimeSpan timeout,
        CancellationToken cancelToken)
    {
        ExecCredentialPlugin plugin = new(exec, userName, timeout);
        await plugin.RenewAsync(cancelToken).ConfigureAwait(false);
        return plugin;
    }

    /// <summary>The bearer token now (renewing it first when it expires within 30 seconds).</summary>
    public async Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken)
    {
        if (_expires is { } expires && expires - DateTimeOffset.UtcNow < s_renewBefore)
        {
            await _renewing.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_expires is { } stillExpires && stillExpires - DateTimeOffset.UtcNow < s_renewBefore)
                {
                    await RenewAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                _renewing.Release();
            }
        }

        return new AuthenticationHeaderValue("Bearer", _token);
    }

    /// <summary>Runs the plugin again at once (the server refused its token); true when it gave a new token.</summary>
    async Task<bool> IRefreshableCredential.RefreshAsync(string? rejected, CancellationToken cancelToken)
    {
        await _renewing.WaitAsync(cancelToken).ConfigureAwait(false);
        try
        {
            if (!string.Equals(rejected, _token, StringComparison.Ordinal))
            {
                return true; // another request renewed it meanwhile
            }

            await RenewAsync(cancelToken).ConfigureAwait(false);
            return !string.Equals(rejected, _token, StringComparison.Ordinal);
        }
        catch (ConnectionException)
        {
            return false; // the plugin fails now: the 401 stands, with its own advice
        }
        finally
        {
            _renewing.Release();
        }
    }

    private async Task RenewAsync(CancellationToken cancelToken)
    {
        using Process process = new() { StartInfo = StartInfo() };
        StringBuilder stdout = new();
        StringBuilder stderr = new();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw Failure($"its command '{_exec.Command}' could not be started ({e.Message})." +
                (_exec.InstallHint is { Length: > 0 } hint ? $" {hint.Trim()}" : string.Empty));
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using CancellationTokenSource bounded = CancellationTokenSource.CreateLinkedTokenSource(cancelToken);
        bounded.CancelAfter(_timeout);
        try
        {
            await process.WaitForExitAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The plugin must not outlive its command: kill it and what it started (a browser helper, a sub-shell).
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It ended on its own meanwhile.
            }

            if (cancelToken.IsCancellationRequested)
            {
                throw;
            }

            throw Failure($"it did not finish within {_timeout.TotalSeconds:0} s and was stopped.{Stderr(stderr)}");
        }

        process.WaitForExit(); // flushes the redirected output
        if (process.ExitCode != 0)
        {
            throw Failure($"it exited with code {process.ExitCode}.{Stderr(stderr)}");
        }

        ReadCredential(stdout.ToString());
    }

    private void ReadCredential(string output)
    {
        try
        {
            using JsonDocument credential = JsonDocument.Parse(output);
            JsonElement status = credential.RootElement.TryGetProperty("status", out JsonElement s) ? s : default;
            string? token = status.ValueKind == JsonValueKind.Object && status.TryGetProperty("token", out JsonElement t) ? t.GetString() : null;
            if (string.IsNullOrEmpty(token))
            {
                throw Failure("its ExecCredential has no status.token (client certificates from exec plugins are not supported).");
            }

            _token = token;
            _expires = status.TryGetProperty("expirationTimestamp", out JsonElement e) && e.ValueKind == JsonValueKind.String &&
                       DateTimeOffset.TryParse(e.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at)
                ? at
                : null;
        }
        catch (JsonException)
        {
            throw Failure("it did not print an ExecCredential (JSON) on its standard output.");
        }
    }

    private ProcessStartInfo StartInfo()
    {
        ProcessStartInfo info = new(_exec.Command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (string argument in _exec.Arguments ?? [])
        {
            info.ArgumentList.Add(argument);
        }

        foreach (IDictionary<string, string> variable in _exec.EnvironmentVariables ?? [])
        {
            if (variable.TryGetValue("name", out string? name) && variable.TryGetValue("value", out string? value))
            {
                info.Environment[name] = value;
            }
        }

        // The protocol's input: the plugin may not prompt (runbooks have no terminal).
        info.Environment["KUBERNETES_EXEC_INFO"] =
            $"{{\"apiVersion\":\"{_exec.ApiVersion}\",\"kind\":\"ExecCredential\",\"spec\":{{\"interactive\":false}}}}";
        return info;
    }

    private ConnectionException Failure(string what) => new(ConnectionFailure.CredentialPluginFailed,
        $"The credential plugin of kubeconfig user '{_userName}' ({_exec.Command}) failed: {what}", _userName);

    private static string Stderr(StringBuilder stderr)
    {
        string text = stderr.ToString().Trim();
        return text.Length == 0 ? string.Empty : $" It said: {(text.Length > 600 ? text[^600..] : text)}";
    }
}

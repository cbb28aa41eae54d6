using System.Diagnostics;
using VmSnapshot.Lab;

namespace VmSnapshot.Tests.Lab;

/// <summary>
/// Runs the real kubectl (the GKE dispatcher at /usr/bin/kubectl) against a lab. Every call gets a fresh
/// HOME and cache dir, because the dispatcher caches /version per server URL without revalidation.
/// </summary>
internal sealed class KubectlRunner(LabServer lab)
{
    public const string Path = "/usr/bin/kubectl";

    public static bool Available => File.Exists(Path);

    public sealed record Result(int ExitCode, string Out, string Err);

    public Result Run(params string[] args) => RunAsync(TimeSpan.FromSeconds(60), null, args).GetAwaiter().GetResult();

    public async Task<Result> RunAsync(TimeSpan timeout, string? stdin, params string[] args)
    {
        using Process p = Start(stdin != null, args);
        if (stdin != null)
        {
            await p.StandardInput.WriteAsync(stdin);
            p.StandardInput.Close();
        }
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        using CancellationTokenSource cts = new(timeout);
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { p.Kill(entireProcessTree: true); await p.WaitForExitAsync(); }
        return new Result(p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts kubectl and leaves it running (get -w); the caller kills it.</summary>
    public Process Start(bool redirectInput, params string[] args)
    {
        string home = Directory.CreateTempSubdirectory("kubectl-home-").FullName;
        ProcessStartInfo psi = new(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--cache-dir=" + System.IO.Path.Combine(home, "cache"));
        psi.Environment["HOME"] = home;
        psi.Environment["KUBECONFIG"] = lab.KubeconfigPath;
        return Process.Start(psi)!;
    }
}

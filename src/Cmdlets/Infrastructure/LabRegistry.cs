using System.Net;
using System.Runtime.InteropServices;
using System.Security;
using VmSnapshot.Lab;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// The labs running in this process. Unlike connections this is process-wide on purpose: a lab is a listening
/// socket owned by the process, and Get-KubeVirtLab in a second runspace should see (and be able to stop) it.
/// </summary>
internal static class LabRegistry
{
    private static readonly object s_sync = new();
    private static readonly List<Entry> s_labs = new();
    private static int s_nextId = 1;

    /// <summary>Kept alive for the process: a registration that is collected stops handling its signal.</summary>
    private static readonly List<PosixSignalRegistration> s_signals = new();

    static LabRegistry()
    {
        // pwsh ends on SIGTERM (kill, systemd, a container stop) and SIGHUP (the terminal closed) without raising
        // ProcessExit, so the handler below never ran and the lab's kubeconfig, with its admin token, stayed in the temp
        // folder. This handler only deletes those files (there is no time to stop the labs) and does not cancel the
        // signal: the process ends as it would have.
        foreach (PosixSignal signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP })
        {
            try
            {
                s_signals.Add(PosixSignalRegistration.Create(signal, _ =>
                {
                    foreach (Entry entry in Entries())
                    {
                        entry.Server.DeleteOwnKubeconfig();
                    }
                }));
            }
            catch (PlatformNotSupportedException)
            {
                // Not on this platform: ProcessExit below is all there is.
            }
        }

        // A lab's kubeconfig holds its admin token: remove it also when the session ends without Stop-KubeVirtLab
        // (exit, a runbook that ends, a test run that stops early).
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (KubeVirtLabInfo lab in All())
            {
                try
                {
                    Stop(lab);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Best effort while the process ends.
                }
            }
        };
    }

    public static KubeVirtLabInfo Start(LabOptions options, string scenarioDescription)
    {
        LabServer server = LabServer.Start(options);
        RestrictToOwner(server.KubeconfigPath);
        SecureString token = new NetworkCredential(string.Empty, server.Token).SecurePassword;
        token.MakeReadOnly();
        lock (s_sync)
        {
            KubeVirtLabInfo info = new(s_nextId++, options.Name, server.Server, server.KubeconfigPath,
                server.ContextName, server.Namespace, token, scenarioDescription, () => server.RequestCount);
            s_labs.Add(new Entry(info, server));
            return info;
        }
    }

    private static Entry[] Entries()
    {
        lock (s_sync)
        {
            return s_labs.ToArray();
        }
    }

    public static IReadOnlyList<KubeVirtLabInfo> All()
    {
        lock (s_sync)
        {
            return s_labs.Select(e => e.Info).ToArray();
        }
    }

    /// <summary>
    /// The lab a lab command means when none is named: the lab this runspace is connected to, else the only lab
    /// running. Returns null and a reason when that is not one lab.
    /// </summary>
    public static KubeVirtLabInfo? Default(out string reason)
    {
        IReadOnlyList<KubeVirtLabInfo> running = All();
        if (SessionConnections.Current is { } current && running.FirstOrDefault(l => l.Server == current.Server) is { } connected)
        {
            reason = string.Empty;
            return connected;
        }

        reason = running.Count switch
        {
            1 => string.Empty,
            0 => "No lab is running in this process. Start one with Start-KubeVirtLab.",
            _ => $"{running.Count} labs are running and the session is connected to none of them. Pass -Lab (Get-KubeVirtLab lists them).",
        };
        return running.Count == 1 ? running[0] : null;
    }

    /// <summary>The server behind a running lab, or null once it was stopped.</summary>
    public static LabServer? ServerOf(int labId)
    {
        lock (s_sync)
        {
            return s_labs.FirstOrDefault(e => e.Info.Id == labId)?.Server;
        }
    }

    /// <summary>Stops a lab: closes its listener and open watches, and deletes a kubeconfig it created itself.</summary>
    public static void Stop(KubeVirtLabInfo lab)
    {
        Entry? entry;
        lock (s_sync)
        {
            entry = s_labs.FirstOrDefault(e => e.Info.Id == lab.Id);
            if (entry is null)
            {
                return;
            }

            s_labs.Remove(entry);
        }

        entry.Server.Stop(); // also deletes the kubeconfig when the lab chose its path (no -KubeconfigPath)
        entry.Info.Running = false;
    }

    /// <summary>The kubeconfig holds the lab's admin token: readable by the owner only, like kubectl's own files.</summary>
    private static void RestrictToOwner(string path)
    {
        if (!OperatingSystem.IsWindows() && File.Exists(path))
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private sealed record Entry(KubeVirtLabInfo Info, LabServer Server);
}

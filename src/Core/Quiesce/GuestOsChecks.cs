namespace VmSnapshot.Core.Quiesce;

/// <summary>
/// What depends on the guest OS (user-needs.md §4): the Windows VSS window, and the in-guest things no Kubernetes
/// API can see (fsfreeze hooks, the VSS provider service, SQL Server's backup type). Those are reported as Manual,
/// with what to check, and never as passed.
/// </summary>
internal static class GuestOsChecks
{
    public static void Add(CheckList checks, QuiesceInputs inputs)
    {
        if (GuestFacts.OsId(inputs) is null)
        {
            // The OS is unknown without an agent; AgentConnected already asks for one.
            return;
        }

        if (GuestFacts.IsWindows(inputs))
        {
            AddWindows(checks, inputs);
        }
        else
        {
            AddLinux(checks);
        }
    }

    private static void AddWindows(CheckList checks, QuiesceInputs inputs)
    {
        checks.Add(CheckNames.WindowsVssWindow, CheckStatus.Warn,
            "Windows VSS holds writes for at most about 10 seconds. If the volume snapshots take longer (a busy " +
            "guest, slow storage, many disks) the thaw fails with 'fsfreeze is limited up to 10 seconds' and the " +
            "snapshot is marked QuiesceTimeout: crash-consistent. Snapshot at a quiet time and check the snapshot's " +
            "Consistency afterwards; -Trial -TrialHold 00:00:08 rehearses the window.");

        string version = GuestFacts.AgentVersion(inputs) is { } v ? $" (this guest runs qemu-ga {v})" : string.Empty;
        checks.Add(CheckNames.SqlServerVss, CheckStatus.Manual,
            "If SQL Server runs in this guest: qemu-ga's VSS requester takes a full VSS backup by default, which " +
            "resets SQL Server's differential base and breaks native backup chains. Use a qemu-ga whose installer " +
            $"offers the copy-only VssOption and set it{version}; this cannot be read through the Kubernetes API.");

        checks.Add(CheckNames.VssProvider, CheckStatus.Manual,
            "Check in the guest that the 'QEMU Guest Agent VSS Provider' service is installed " +
            "(Get-Service QEMU-GA, 'QEMU Guest Agent VSS Provider'). Without it a freeze reports success but " +
            "quiesces nothing. VSS errors such as event 8194 ('Access is denied') show in the Application log.");
    }

    private static void AddLinux(CheckList checks)
    {
        checks.Add(CheckNames.FsfreezeHooks, CheckStatus.Manual,
            "Application hooks only run when qemu-ga is started with --fsfreeze-hook (see 'qemu-ga -D'). Check " +
            "/etc/qemu-ga/fsfreeze-hook (RHEL) or /etc/qemu/fsfreeze-hook, and that the scripts in its " +
            "fsfreeze-hook.d folder are executable. A failing script does not stop the freeze: look for errors in " +
            "/var/log/qga-fsfreeze-hook.log.");

        checks.Add(CheckNames.FsfreezeHookSamples, CheckStatus.Manual,
            "Scripts ending in .sample (such as mysql-flush.sh.sample) are skipped: if fsfreeze-hook.d holds only " +
            ".sample files, databases are not flushed before the freeze. Rename and chmod +x the ones you need; " +
            "they must time out on their own in case 'thaw' never comes.");
    }
}

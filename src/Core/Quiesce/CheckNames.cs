namespace VmSnapshot.Core.Quiesce;

/// <summary>
/// The check names Test-GuestQuiesce reports. They are part of the public contract (scripts filter on
/// <c>$r.Checks | Where-Object Name -eq 'FreezeCommands'</c>), so never rename one.
/// </summary>
public static class CheckNames
{
    public const string VMState = "VMState";
    public const string AgentConnected = "AgentConnected";
    public const string AgentVersion = "AgentVersionSupported";
    public const string GuestAgentInfo = "GuestAgentInfo";
    public const string FreezeCommands = "FreezeCommands";
    public const string FreezeState = "FreezeState";
    public const string BootTime = "AgentReadyAfterBoot";
    public const string WindowsVssWindow = "WindowsVssHoldLimit";
    public const string SqlServerVss = "SqlServerVssBackupType";
    public const string VssProvider = "VssProviderService";
    public const string FsfreezeHooks = "FsfreezeHookScripts";
    public const string FsfreezeHookSamples = "FsfreezeHookSamplesOnly";
    public const string Volume = "Volume";
    public const string VolumeStatuses = "VolumeSnapshotStatuses";
    public const string HotplugVolume = "HotplugVolume";
    public const string FeatureGate = "SnapshotFeatureGate";
    public const string CanCreateSnapshot = "CanCreateSnapshot";
    public const string CanFreeze = "CanFreeze";
    public const string LastSnapshot = "LastSnapshot";
    public const string TrialFreeze = "TrialFreeze";
}

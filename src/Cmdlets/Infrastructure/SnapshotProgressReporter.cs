using System.Management.Automation;
using VmSnapshot.Core.Snapshots;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// One progress bar for a command that follows one or many snapshots, mirrored to the verbose stream: Azure Automation
/// does not show progress, and runbooks read verbose output instead.
/// </summary>
internal sealed class SnapshotProgressReporter
{
    private readonly Cmdlet _cmdlet;
    private readonly string _activity;
    private readonly int _activityId;
    private readonly Dictionary<string, SnapshotProgress> _states = new(StringComparer.Ordinal);
    private readonly Dictionary<string, VolumeProgress> _volumes = new(StringComparer.Ordinal);
    private int _finished;

    public SnapshotProgressReporter(Cmdlet cmdlet, string activity, int activityId)
    {
        _cmdlet = cmdlet;
        _activity = activity;
        _activityId = activityId;
    }

    /// <summary>Snapshots followed so far.</summary>
    public int Total => _states.Count;

    /// <summary>Records a change; call on the pipeline thread.</summary>
    public void Report(string snapshotKey, SnapshotProgress progress)
    {
        bool wasFinal = _states.TryGetValue(snapshotKey, out SnapshotProgress? previous) && previous.IsFinal;
        _states[snapshotKey] = progress;
        if (progress.IsFinal && !wasFinal)
        {
            _finished++;
        }

        string timeLeft = progress.Deadline is { } deadline && !progress.IsFinal
            ? $" ({Math.Max(0, (int)(deadline - DateTimeOffset.UtcNow).TotalSeconds)} s to the failure deadline)"
            : string.Empty;
        // The volume counts come from the content's own watch, which may lag the snapshot's: a final state says it all,
        // and a count from before it (ready 2/3 beside "ready to use") would only mislead.
        string volumes = !progress.IsFinal && _volumes.TryGetValue(snapshotKey, out VolumeProgress? counted) ? $"; {counted}" : string.Empty;
        _cmdlet.WriteVerbose($"{snapshotKey}: {progress.Stage}: {progress.Message}{volumes}{timeLeft}");

        ProgressRecord record = new(_activityId, _activity,
            Total == 1 ? $"{snapshotKey}: {progress.Stage}" : $"{_finished} of {Total} done")
        {
            CurrentOperation = $"{snapshotKey}: {progress.Message}{volumes}{timeLeft}",
            PercentComplete = Total == 0 ? 0 : Math.Min(100, _finished * 100 / Total),
        };
        _cmdlet.WriteProgress(record);
    }

    /// <summary>Records how far a snapshot's volumes are; call on the pipeline thread.</summary>
    public void ReportVolumes(string snapshotKey, VolumeProgress volumes)
    {
        if (_volumes.TryGetValue(snapshotKey, out VolumeProgress? previous) && previous == volumes)
        {
            return;
        }

        _volumes[snapshotKey] = volumes;
        if (_states.TryGetValue(snapshotKey, out SnapshotProgress? progress) && !progress.IsFinal)
        {
            Report(snapshotKey, progress);
        }
    }

    /// <summary>Closes the progress bar.</summary>
    public void Complete()
    {
        if (Total > 0)
        {
            _cmdlet.WriteProgress(new ProgressRecord(_activityId, _activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
    }
}

using System.Management.Automation;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// Progress for one long operation (a restore, a clone), mirrored to the verbose stream because Azure Automation
/// shows no progress bars. Call on the pipeline thread.
/// </summary>
internal sealed class OperationProgress
{
    private readonly Cmdlet _cmdlet;
    private readonly string _activity;
    private readonly string _subject;
    private readonly int _activityId;
    private bool _reported;

    public OperationProgress(Cmdlet cmdlet, string activity, string subject, int activityId)
    {
        _cmdlet = cmdlet;
        _activity = activity;
        _subject = subject;
        _activityId = activityId;
    }

    public void Report(string stage, string message)
    {
        _reported = true;
        _cmdlet.WriteVerbose($"{_subject}: {stage}: {message}");
        _cmdlet.WriteProgress(new ProgressRecord(_activityId, _activity, $"{_subject}: {stage}") { CurrentOperation = message });
    }

    public void Complete()
    {
        if (_reported)
        {
            _cmdlet.WriteProgress(new ProgressRecord(_activityId, _activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
    }
}

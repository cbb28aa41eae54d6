using System.Diagnostics;

namespace VmSnapshot.Core.Changes;

/// <summary>Builds a <see cref="KubeVirtVMChange"/> step by step, timing each step.</summary>
internal sealed class ChangeRecord
{
    private readonly List<ChangeStep> _steps = new();
    private readonly List<KubeVirtVMHealth> _samples = new();
    private readonly Stopwatch _took = Stopwatch.StartNew();

    public ChangeRecord(string @namespace, string vmName, string changeId, string? context)
    {
        Change = new KubeVirtVMChange
        {
            VMName = vmName,
            Namespace = @namespace,
            ChangeId = changeId,
            StartTime = DateTime.Now,
            Context = context,
        };
    }

    /// <summary>The record as it stands (steps and samples are filled in by <see cref="Finish"/>).</summary>
    public KubeVirtVMChange Change { get; }

    /// <summary>The step running now, for a message when the change is stopped.</summary>
    public string? Current { get; private set; }

    public void AddSample(KubeVirtVMHealth health)
    {
        lock (_samples)
        {
            _samples.Add(health);
        }
    }

    /// <summary>Starts a step; dispose the result with <see cref="StepTimer.End"/>.</summary>
    public StepTimer Begin(string name)
    {
        Current = name;
        return new StepTimer(this, name, DateTime.Now, Stopwatch.StartNew());
    }

    /// <summary>Records a step that was not run.</summary>
    public void Skipped(string name, string message) =>
        _steps.Add(new ChangeStep { Name = name, Result = ChangeStepResult.Skipped, Start = DateTime.Now, Message = message });

    public KubeVirtVMChange Finish(ChangeOutcome outcome, string? error)
    {
        Change.Outcome = outcome;
        Change.Error = error;
        Change.Steps = _steps.ToArray();
        lock (_samples)
        {
            Change.HealthSamples = _samples.ToArray();
        }

        Change.Duration = _took.Elapsed;
        return Change;
    }

    internal void Add(ChangeStep step)
    {
        _steps.Add(step);
        Current = null;
    }

    /// <summary>A step being timed.</summary>
    internal sealed class StepTimer(ChangeRecord record, string name, DateTime start, Stopwatch took)
    {
        public void End(ChangeStepResult result, string message) =>
            record.Add(new ChangeStep { Name = name, Result = result, Start = start, Duration = took.Elapsed, Message = message });
    }
}

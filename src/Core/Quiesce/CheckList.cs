namespace VmSnapshot.Core.Quiesce;

/// <summary>Collects the checks of one VM in the order they are made, which is the order users read them in.</summary>
internal sealed class CheckList
{
    private readonly List<QuiesceCheck> _checks = new();
    private readonly string _vmName;

    public CheckList(string vmName) => _vmName = vmName;

    public IReadOnlyList<QuiesceCheck> Items => _checks;

    public QuiesceCheck Add(string name, CheckStatus status, string message, string? target = null)
    {
        QuiesceCheck check = new() { VMName = _vmName, Name = name, Status = status, Message = message, Target = target };
        _checks.Add(check);
        return check;
    }

    public QuiesceCheck? Find(string name) => _checks.FirstOrDefault(c => c.Name == name);
}

namespace VmSnapshot.Lab.Controllers;

internal sealed class VirtualMachineCloneController(ControllerHost host) : Controller(host)
{
    public override string Name => "VirtualMachineCloneController";
    public override IEnumerable<ControllerWatch> Watches() => [];
    public override void Reconcile(ObjectKey key) { }
}

namespace VmSnapshot.Lab.Controllers;

internal sealed class VirtualMachineRestoreController(ControllerHost host) : Controller(host)
{
    public override string Name => "VirtualMachineRestoreController";
    public override IEnumerable<ControllerWatch> Watches() => [];
    public override void Reconcile(ObjectKey key) { }
}

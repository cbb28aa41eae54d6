using VmSnapshot.Lab;
using VmSnapshot.Tests.Lab;
using Xunit;
using static VmSnapshot.Tests.Controllers.ControllerTestSupport;

namespace VmSnapshot.Tests.Controllers;

/// <summary>The way people script snapshots with kubectl, against the emulated controllers (TLS: kubectl sends tokens only over https).</summary>
public sealed class KubectlWaitTests : IDisposable
{
    private readonly LabServer _lab = StartControlledLab(speed: 20, tls: true);

    public void Dispose() => _lab.Dispose();

    [SkippableFact]
    public async Task KubectlWaitsForReadyToUseOnAVmSnapshot()
    {
        Skip.IfNot(KubectlRunner.Available, "kubectl is not installed at /usr/bin/kubectl");
        KubectlRunner kubectl = new(_lab);
        string manifest = """
            apiVersion: snapshot.kubevirt.io/v1beta1
            kind: VirtualMachineSnapshot
            metadata:
              name: before-patching
            spec:
              source:
                apiGroup: kubevirt.io
                kind: VirtualMachine
                name: win2k19-profound-gecko
            """;
        KubectlRunner.Result created = await kubectl.RunAsync(TimeSpan.FromSeconds(60), manifest, "apply", "-f", "-");
        Assert.True(created.ExitCode == 0, created.Err);
        Assert.Contains("virtualmachinesnapshot.snapshot.kubevirt.io/before-patching created", created.Out);

        KubectlRunner.Result wait = await kubectl.RunAsync(TimeSpan.FromSeconds(60), null, "wait", "--for=jsonpath={.status.readyToUse}=true", "vmsnapshot/before-patching", "--timeout=30s");
        Assert.True(wait.ExitCode == 0, wait.Err);
        Assert.Contains("virtualmachinesnapshot.snapshot.kubevirt.io/before-patching condition met", wait.Out);

        KubectlRunner.Result got = kubectl.Run("get", "vmsnapshot", "before-patching", "-o", "jsonpath={.status.phase} {.status.indications}");
        Assert.Equal("Succeeded [\"GuestAgent\",\"Online\"]", got.Out.Trim());
    }
}

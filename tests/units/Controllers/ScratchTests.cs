using VmSnapshot.Lab;
using Xunit;
using static VmSnapshot.Tests.Controllers.ControllerTestSupport;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Controllers;

public sealed class ScratchTests
{
    [Fact]
    public async Task Loop()
    {
        for (var i = 0; i < 30; i++)
        {
            using var lab = StartControlledLab();
            using var http = Http(lab);
            var r = await SendAsync(http, HttpMethod.Put, "/apis/subresources.kubevirt.io/v1/namespaces/vms/virtualmachineinstances/rhel8-brainy-bear/freeze", "{\"unfreezeTimeout\":\"2m\"}");
            var vmi = await GetAsync(http, "virtualmachineinstances", "vms", "rhel8-brainy-bear");
            if (Str(vmi, "status", "fsFreezeStatus") != "frozen")
                Assert.Fail($"iteration {i}: code {r.Code} {r.Body?.ToJsonString()} rv {Str(vmi, "metadata", "resourceVersion")} frozen={lab.Controllers!.Agents.IsFrozen(vmi!)} errors={string.Join("|", lab.Controllers.Errors)}");
        }
    }
}

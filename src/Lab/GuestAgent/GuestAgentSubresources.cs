using System.Text.Json.Nodes;
using VmSnapshot.Lab.Api;
using VmSnapshot.Lab.Controllers;
using VmSnapshot.Lab.Controllers.Subresources;
using VmSnapshot.Lab.Json;
using VmSnapshot.Lab.Time;

namespace VmSnapshot.Lab.GuestAgent;

/// <summary>
/// virt-api's guest-agent endpoints (reference §3.3): PUT freeze (body unfreezeTimeout, idempotent, waits the
/// agent's freeze latency) and unfreeze, answering 404/409 before reaching the agent and 500 "Internal error
/// occurred: unexpected return code 400 ..." for agent errors; GET guestosinfo, userlist and filesystemlist, whose
/// handler turns every failure into a plain-text 500 (httpGetRequestHandler's response.WriteError).
/// </summary>
internal sealed class GuestAgentSubresources(ControllerHost host)
{
    public async Task FreezeAsync(string ns, string name, JsonObject? body, CancellationToken ct)
    {
        JsonObject vmi = host.Store.Get(Plurals.VirtualMachineInstances, ns, name) ?? throw SubresourceErrors.NotFound("virtualmachineinstance", name);
        if (Obj.Str(vmi, "status", "phase") != "Running") throw SubresourceErrors.Conflict("virtualmachineinstance", name, "VM is not running");
        string? timeoutText = Obj.Str(body, "unfreezeTimeout");
        if (timeoutText == null || !GoDuration.TryParse(timeoutText, out TimeSpan timeout))
            throw SubresourceErrors.Internal("unexpected return code 400 (400 Bad Request), message: Unfreeze timeout in freeze request is not set");
        while (true)
        {
            AgentResult result = host.Agents.Freeze(vmi, timeout);
            switch (result)
            {
                case AgentResult.Done: return;
                case AgentResult.Failed f: throw SubresourceErrors.Internal($"unexpected return code 400 (400 Bad Request), message: {f.Error}");
                case AgentResult.Pending p: await host.Clock.Delay(p.ReadyAt - host.Clock.Now + TimeSpan.FromMilliseconds(1), ct); break;
            }
        }
    }

    public void Unfreeze(string ns, string name)
    {
        JsonObject vmi = host.Store.Get(Plurals.VirtualMachineInstances, ns, name) ?? throw SubresourceErrors.NotFound("virtualmachineinstance", name);
        if (Obj.Str(vmi, "status", "phase") != "Running") throw SubresourceErrors.Conflict("virtualmachineinstance", name, "VMI is not running");
        if (host.Agents.Unfreeze(vmi) is AgentResult.Failed f)
            throw SubresourceErrors.Internal($"unexpected return code 400 (400 Bad Request), message: {f.Error}");
    }

    public async Task ServeInfoAsync(RequestContext ctx, string ns, string name, string what)
    {
        JsonObject? vmi = host.Store.Get(Plurals.VirtualMachineInstances, ns, name);
        string? problem = null;
        if (vmi == null) problem = $"virtualmachineinstance.kubevirt.io \"{name}\" not found";
        else if (Obj.Str(vmi, "status", "phase") != "Running") problem = $"Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io \"{name}\": VMI is not running";
        else if (!Obj.HasCondition(vmi, "AgentConnected")) problem = $"Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io \"{name}\": VMI does not have guest agent connected";
        if (problem != null)
        {
            await ctx.Response.SendAsync(500, System.Text.Encoding.UTF8.GetBytes(problem), "text/plain; charset=utf-8", ctx.Cancellation);
            return;
        }
        GuestAgentSettings settings = host.Agents.SettingsFor(vmi!);
        JsonObject body = what switch
        {
            "guestosinfo" => GuestOsInfo.AgentInfo(settings, vmi!, host.Agents.IsFrozen(vmi!)),
            "userlist" => new JsonObject { ["metadata"] = new JsonObject(), ["items"] = GuestOsInfo.Users(settings, vmi!) },
            _ => new JsonObject { ["metadata"] = new JsonObject(), ["items"] = GuestOsInfo.Filesystems(settings, vmi!) },
        };
        await ctx.Response.SendAsync(200, JsonUtil.ToBytes(body), "application/json", ctx.Cancellation);
    }
}

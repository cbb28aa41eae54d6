using System.Collections;
using System.Management.Automation;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Lab;
using VmSnapshot.Lab.Faults;

namespace VmSnapshot.Commands;

/// <summary>
/// <para type="synopsis">Makes a running lab misbehave like a real API server under load, upgrade or a bad network.</para>
/// <para type="description">Replaces the lab's fault rules. Each rule picks requests (by verb, resource and path, at a
/// rate or in an exact sequence) and throttles them (429 with Retry-After), fails them (500, 503), drops the
/// connection before or after the request is carried out, cuts the answer mid-body, closes or expires watches, slows
/// them down, or restarts the API server (connections refused for a while). Every client sees the faults: this module,
/// kubectl, your own scripts. Use it in Pester tests to prove a runbook rides through a flaky cluster. An empty -Rule
/// turns faults off.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "KubeVirtLabFault", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(KubeVirtLabFault))]
public sealed class SetKubeVirtLabFaultCommand : PSCmdlet
{
    /// <summary>
    /// <para type="description">The rules, in order (the first that picks a request wins), each a hashtable with the
    /// keys of a LabSettings faults rule: fault (throttle, error, unavailable, reset, lostResponse, truncate,
    /// closeWatch, expireWatch, slow, restart), and optionally verbs, resources, path, rate or sequence, count,
    /// retryAfter (seconds), delay, duration (Go durations such as 500ms or 2s) and keepBytes. @() turns faults off.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0)]
    [AllowEmptyCollection]
    public Hashtable[] Rule { get; set; } = [];

    /// <summary>
    /// <para type="description">The seed of the random source rates draw from: the same seed and the same requests
    /// give the same faults when they arrive in the same order. Default: 0.</para>
    /// </summary>
    [Parameter]
    public int Seed { get; set; }

    /// <summary>
    /// <para type="description">The lab, as returned by Start-KubeVirtLab or Get-KubeVirtLab. Default: the lab this
    /// session is connected to, else the only lab running in this process.</para>
    /// </summary>
    [Parameter(ValueFromPipeline = true)]
    [ValidateNotNull]
    public KubeVirtLabInfo? Lab { get; set; }

    /// <summary>
    /// <para type="description">Output the rules as set.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        (KubeVirtLabInfo? lab, LabServer? server, ErrorRecord? error) = LabTarget.Resolve(Lab);
        if (error is not null)
        {
            WriteError(error);
            return;
        }

        List<FaultRule> rules = new();
        IReadOnlySet<string> served = server!.ServedResources;
        for (int i = 0; i < Rule.Length; i++)
        {
            try
            {
                FaultRule rule = FaultRuleParameter.Parse(Rule[i], $"-Rule[{i}]");
                if (rule.Resources.FirstOrDefault(r => !served.Contains(r)) is { } unknown)
                {
                    // A misspelled resource would match nothing, and a test would pass without its fault.
                    throw new FormatException($"-Rule[{i}]: the lab serves no resource '{unknown}'. Use a plural such as " +
                        "virtualmachinesnapshots, or plural/subresource such as virtualmachines/start.");
                }

                rules.Add(rule);
            }
            catch (FormatException e)
            {
                // Terminating: a test whose fault rule is wrong must fail, not run without the fault. Nothing changes.
                ThrowTerminatingError(ErrorRecords.Create(e, ErrorIds.InvalidFaultRule, ErrorCategory.InvalidArgument, Rule[i],
                    "Fix the rule (see Get-Help Set-KubeVirtLabFault -Parameter Rule); the lab's rules are unchanged."));
            }
        }

        string action = rules.Count == 0 ? "Turn off fault injection" : $"Set {rules.Count} fault rule(s) with seed {Seed}";
        if (!ShouldProcess($"lab '{lab!.Name}'", action))
        {
            return;
        }

        server.Faults.Set(rules, Seed);
        if (PassThru)
        {
            WriteObject(LabFaults.Describe(lab, server), enumerateCollection: true);
        }
    }
}

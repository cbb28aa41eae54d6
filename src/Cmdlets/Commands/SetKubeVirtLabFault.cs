using System.Collections;
using System.Management.Automation;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Lab;
using VmSnapshot.Lab.Faults;

namespace VmSnapshot.Commands;

[Cmdlet(VerbsCommon.Set, "KubeVirtLabFault", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low,
    HelpUri = HelpPages.Online + "Set-KubeVirtLabFault.md")]
[OutputType(typeof(KubeVirtLabFault))]
public sealed class SetKubeVirtLabFaultCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [AllowEmptyCollection]
    [FaultRuleTransformation]
    public Hashtable[] Rule { get; set; } = [];

    [Parameter]
    public int Seed { get; set; }

    [Parameter(ValueFromPipeline = true)]
    [ValidateNotNull]
    public KubeVirtLabInfo? Lab { get; set; }

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
            catch (FormatException e) when (Rule[i] is FaultRuleText text)
            {
                // 'text' that is no fault's name: say what a rule looks like, not only which faults exist.
                string faults = string.Join(", ", Enum.GetNames<FaultKind>().Select(n => char.ToLowerInvariant(n[0]) + n[1..]));
                ThrowTerminatingError(ErrorRecords.Create(
                    new FormatException($"-Rule[{i}]: '{text.Text}' is not a fault rule. A rule is a hashtable such as " +
                        "@{ fault = 'throttle'; verbs = 'create'; rate = 0.2 }, or a fault's name alone for a rule that " +
                        $"picks every request: {faults}." +
                        (text.Text.TrimStart().StartsWith('{') || text.Text.TrimStart().StartsWith('[')
                            ? " JSON text becomes a rule through ConvertFrom-Json: -Rule ($json | ConvertFrom-Json)."
                            : string.Empty), e),
                    ErrorIds.InvalidFaultRule, ErrorCategory.InvalidArgument, text.Text,
                    "Fix the rule (see Get-Help Set-KubeVirtLabFault -Parameter Rule); the lab's rules are unchanged."));
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

using VmSnapshot.Lab;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>A lab's fault rules as output objects.</summary>
internal static class LabFaults
{
    public static IEnumerable<KubeVirtLabFault> Describe(KubeVirtLabInfo lab, LabServer server)
    {
        int seed = server.Faults.Seed;
        return server.Faults.Status.Select(s => new KubeVirtLabFault(lab.Name, s.Index, s.Rule.FaultName,
            s.Rule.Verbs.ToArray(), s.Rule.Resources.ToArray(), s.Rule.Path, s.Rule.Rate, s.Rule.Sequence.ToArray(),
            s.Rule.Count, seed, s.Matched, s.Injected));
    }
}

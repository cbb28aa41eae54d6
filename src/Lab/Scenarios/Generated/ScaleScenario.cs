using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace VmSnapshot.Lab.Scenarios;

/// <summary>
/// The built-in benchmark scenario "scale:NxM": N namespaces scale-001.. with M running VMs each (one 20Gi root
/// disk on trident-svm, a containerDisk-free spec, a connected guest agent, an address and the disk attached, as a
/// running VMI reports them), plus the trident-svm StorageClass,
/// the csi-snapclass VolumeSnapshotClass, its StorageProfile and a v1.9 KubeVirt CR. N, M in 1..1000.
/// </summary>
public static partial class ScaleScenario
{
    // Any count is matched (and then refused when out of range) and the x is taken in either case, so scale:3X20 and
    // scale:100000x100 get the range message rather than "not a scenario".
    [GeneratedRegex(@"^scale:(\d+)[xX](\d+)$")]
    private static partial Regex NamePattern();

    public static bool TryParseName(string name, out int namespaces, out int vmsPerNamespace)
    {
        namespaces = vmsPerNamespace = 0;
        Match m = NamePattern().Match(name);
        if (!m.Success) return false;
        namespaces = int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : int.MaxValue;
        vmsPerNamespace = int.TryParse(m.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v : int.MaxValue;
        if (namespaces is < 1 or > 1000 || vmsPerNamespace is < 1 or > 1000)
            throw new FormatException($"Scenario '{name}': both numbers of scale:NxM must be between 1 and 1000.");
        return true;
    }

    public static Scenario Generate(int namespaces, int vmsPerNamespace)
    {
        List<JsonObject> objects = new()
        {
            Parse("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"kubevirt"}}"""),
            Parse("""{"apiVersion":"kubevirt.io/v1","kind":"KubeVirt","metadata":{"name":"kubevirt","namespace":"kubevirt"},"spec":{"configuration":{"developerConfiguration":{"featureGates":["Snapshot"]}}},"status":{"phase":"Deployed","observedKubeVirtVersion":"v1.9.0"}}"""),
            Parse("""{"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":"trident-svm","annotations":{"storageclass.kubernetes.io/is-default-class":"true"}},"provisioner":"csi.trident.netapp.io","reclaimPolicy":"Delete","volumeBindingMode":"Immediate","allowVolumeExpansion":true}"""),
            Parse("""{"apiVersion":"snapshot.storage.k8s.io/v1","kind":"VolumeSnapshotClass","metadata":{"name":"csi-snapclass","annotations":{"snapshot.storage.kubernetes.io/is-default-class":"true"}},"driver":"csi.trident.netapp.io","deletionPolicy":"Delete"}"""),
            Parse("""{"apiVersion":"cdi.kubevirt.io/v1beta1","kind":"StorageProfile","metadata":{"name":"trident-svm"},"spec":{},"status":{"provisioner":"csi.trident.netapp.io","storageClass":"trident-svm","snapshotClass":"csi-snapclass"}}"""),
        };
        for (int n = 1; n <= namespaces; n++)
        {
            string ns = $"scale-{n:000}";
            objects.Add(Parse(Fill("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"@NS@","labels":{"kubernetes.io/metadata.name":"@NS@"}},"status":{"phase":"Active"}}""", ns, "", "", "", "")));
            for (int v = 1; v <= vmsPerNamespace; v++)
            {
                string vm = $"vm-{v:0000}";
                string pvc = $"{vm}-rootdisk";
                Guid uid = new(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes($"{ns}/{vm}")));
                objects.Add(Parse(Fill("""
                    {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"@PVC@","namespace":"@NS@","labels":{"app":"@VM@"}},
                     "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"20Gi"}},"storageClassName":"trident-svm","volumeMode":"Filesystem","volumeName":"pvc-@NS@-@VM@"},
                     "status":{"phase":"Bound","accessModes":["ReadWriteOnce"],"capacity":{"storage":"20Gi"}}}
                    """, ns, vm, pvc, uid.ToString(), "")));
                string spec = Fill("""
                    {"domain":{"cpu":{"cores":1},"memory":{"guest":"2Gi"},"devices":{"disks":[{"name":"rootdisk","disk":{"bus":"virtio"}}],
                     "interfaces":[{"name":"default","masquerade":{}}]}},"networks":[{"name":"default","pod":{}}],
                     "volumes":[{"name":"rootdisk","persistentVolumeClaim":{"claimName":"@PVC@"}}]}
                    """, ns, vm, pvc, uid.ToString(), "");
                objects.Add(Parse(Fill("""
                    {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine","metadata":{"name":"@VM@","namespace":"@NS@","uid":"@UID@","labels":{"app":"@VM@"}},
                     "spec":{"runStrategy":"Always","template":{"metadata":{"labels":{"kubevirt.io/domain":"@VM@"}},"spec":@SPEC@}}}
                    """, ns, vm, pvc, uid.ToString(), spec)));
                objects.Add(Parse(Fill("""
                    {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance","metadata":{"name":"@VM@","namespace":"@NS@","labels":{"kubevirt.io/domain":"@VM@"},
                      "ownerReferences":[{"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine","name":"@VM@","uid":"@UID@","controller":true,"blockOwnerDeletion":true}]},
                     "spec":@SPEC@,
                     "status":{"phase":"Running","nodeName":"worker-1.example.internal","conditions":[{"type":"Ready","status":"True"},{"type":"AgentConnected","status":"True"}],
                      "interfaces":[{"name":"default","interfaceName":"eth0","ipAddress":"@IP@","ipAddresses":["@IP@"],"infoSource":"domain, guest-agent"}],
                      "volumeStatus":[{"name":"rootdisk","target":"vda"}]}}
                    """, ns, vm, pvc, uid.ToString(), spec).Replace("@IP@", $"10.{128 + n / 250}.{n % 250}.{v % 250 + 2}", StringComparison.Ordinal)));
            }
        }
        return new Scenario { Name = $"scale:{namespaces}x{vmsPerNamespace}", Namespace = "scale-001", Objects = objects };
    }

    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    private static string Fill(string template, string ns, string vm, string pvc, string uid, string spec)
        => template.Replace("@NS@", ns).Replace("@VM@", vm).Replace("@PVC@", pvc).Replace("@UID@", uid).Replace("@SPEC@", spec);
}

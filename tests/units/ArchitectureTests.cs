using System.Reflection;
using System.Text.RegularExpressions;
using Xunit;

namespace VmSnapshot.Tests;

/// <summary>
/// The layering the code relies on, checked on the source and the built assemblies: the engine decides, the
/// PowerShell face translates. A rule broken here fails the build's tests, not a code review.
/// </summary>
public class ArchitectureTests
{
    private static readonly string s_repo = FindRepo();

    [Fact]
    public void Cmdlet_commands_read_no_JSON_so_every_cluster_decision_lives_in_Core()
    {
        string[] offenders = Directory.GetFiles(Path.Combine(s_repo, "src", "Cmdlets", "Commands"), "*.cs")
            .Where(f => Regex.IsMatch(File.ReadAllText(f), @"System\.Text\.Json|JsonElement|JsonNode|JsonObject"))
            .Select(Path.GetFileName)
            .ToArray()!;
        Assert.Empty(offenders);
    }

    [Fact]
    public void The_engine_has_no_PowerShell_reference()
    {
        AssemblyName[] references = typeof(VmSnapshot.Core.Api.ResourceType).Assembly.GetReferencedAssemblies();
        Assert.DoesNotContain(references, r => r.Name == "System.Management.Automation");
        Assert.Contains(references, r => r.Name == "VmSnapshot.Shared");
    }

    [Fact]
    public void The_lab_API_server_knows_no_add_on_kinds()
    {
        string[] offenders = new[] { "Api", "Store", "Http" }
            .SelectMany(folder => Directory.GetFiles(Path.Combine(s_repo, "src", "Lab", folder), "*.cs"))
            .Where(f => Regex.IsMatch(File.ReadAllText(f), @"(?i)kubevirt|cdi\.|snapshot\.storage|multus|k8s\.cni"))
            .Select(Path.GetFileName)
            .ToArray()!;
        Assert.Empty(offenders);
    }

    [Fact]
    public void A_partial_class_lives_in_one_folder()
    {
        string[] spread = Directory.GetFiles(Path.Combine(s_repo, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), @"partial class (\w+)").Select(m => (Type: m.Groups[1].Value, Folder: Path.GetDirectoryName(f)!)))
            .GroupBy(p => p.Type)
            .Where(g => g.Select(p => p.Folder).Distinct().Count() > 1)
            .Select(g => g.Key)
            .ToArray();
        Assert.Empty(spread);
    }

    private static string FindRepo()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VmSnapshot.PowerShell.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No VmSnapshot.PowerShell.sln above {AppContext.BaseDirectory}.");
    }
}

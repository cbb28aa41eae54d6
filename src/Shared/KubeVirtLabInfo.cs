using System.Security;

namespace VmSnapshot;

/// <summary>A running lab cluster, as returned by Start-KubeVirtLab and Get-KubeVirtLab.</summary>
public sealed class KubeVirtLabInfo
{
    private readonly Func<long> _requestCount;

    internal KubeVirtLabInfo(int id, string name, Uri server, string kubeconfigPath, string context, string @namespace,
        SecureString token, string scenario, Func<long> requestCount)
    {
        _requestCount = requestCount;
        Id = id;
        Name = name;
        Server = server;
        KubeconfigPath = kubeconfigPath;
        Context = context;
        Namespace = @namespace;
        Token = token;
        Scenario = scenario;
        StartTime = DateTime.Now;
    }

    /// <summary>A number that identifies the lab in this process.</summary>
    public int Id { get; }

    /// <summary>The lab's name, also its kubeconfig cluster, user and context name.</summary>
    public string Name { get; }

    /// <summary>The API server's URI (loopback only).</summary>
    public Uri Server { get; }

    /// <summary>The kubeconfig the lab wrote; point kubectl or Connect-KubeVirt at it.</summary>
    public string KubeconfigPath { get; }

    /// <summary>The kubeconfig context name.</summary>
    public string Context { get; }

    /// <summary>The context's default namespace.</summary>
    public string Namespace { get; }

    private SecureString Token { get; }

    /// <summary>
    /// The lab's admin bearer token, on request. A method, not a property, so Export-Clixml, ConvertTo-Json and
    /// Format-List never write it out (on Linux a serialised SecureString is only hex-encoded, not encrypted).
    /// </summary>
    public SecureString GetToken() => Token.Copy();

    /// <summary>The scenario the lab was started with.</summary>
    public string Scenario { get; }

    /// <summary>When the lab started (local time).</summary>
    public DateTime StartTime { get; }

    /// <summary>HTTP requests the lab has served so far (for benchmarks and for seeing what a script costs).</summary>
    public long RequestCount => _requestCount();

    /// <summary>False once the lab was stopped.</summary>
    public bool Running { get; internal set; } = true;

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Server})";
}

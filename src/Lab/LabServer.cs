using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using VmSnapshot.Lab.Api;
using VmSnapshot.Lab.Auth;
using VmSnapshot.Lab.Controllers;
using VmSnapshot.Lab.Faults;
using VmSnapshot.Lab.Http;
using VmSnapshot.Lab.Installations;
using VmSnapshot.Lab.Json;
using VmSnapshot.Lab.Kubeconfig;
using VmSnapshot.Lab.Scenarios;
using VmSnapshot.Lab.Store;
using VmSnapshot.Lab.Time;

namespace VmSnapshot.Lab;

/// <summary>
/// A running lab: an emulated kube-apiserver on 127.0.0.1 with the add-ons a KubeVirt cluster installs (the CSI
/// external-snapshotter, KubeVirt, CDI, Multus), loaded with a scenario, plus a kubeconfig that points at it.
/// Several can run in one process. This is the one place that composes the generic server and the installations.
/// </summary>
public sealed class LabServer : IDisposable
{
    private readonly LabHttpServer _http;
    private readonly ApiHandler _api;
    private readonly Authenticator _authenticator;
    private readonly X509Certificate2? _certificate;
    private int _stopped;

    private LabServer(LabOptions options, Scenario scenario)
    {
        Options = options;
        Token = Authenticator.NewToken();
        Namespace = scenario.Namespace ?? "default";
        ContextName = options.Name;
        Users = [new LabUser { Name = options.Name + "-admin", Token = Token, IsAdmin = true }, .. scenario.Users];

        Store = new LabStore(Catalog(), options.WatchHistorySize, options.BookmarkInterval);
        Store.Admission.Register(new StorageObjectInUseProtection()); // a built-in admission plugin: on with or without add-ons
        Store.Seed(new System.Text.Json.Nodes.JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Namespace",
            ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "default", ["labels"] = new System.Text.Json.Nodes.JsonObject { ["kubernetes.io/metadata.name"] = "default" } },
            ["spec"] = new System.Text.Json.Nodes.JsonObject { ["finalizers"] = new System.Text.Json.Nodes.JsonArray("kubernetes") },
            ["status"] = new System.Text.Json.Nodes.JsonObject { ["phase"] = "Active" },
        });
        foreach (JsonObject obj in scenario.Objects)
        {
            CheckServed(Store.Catalog, scenario.Name, obj);
            JsonObject? existing = Store.Get(JsonUtil.Str(obj["kind"])!, JsonUtil.Str(obj["metadata"]?["namespace"]), JsonUtil.Str(obj["metadata"]?["name"])!);
            if (existing != null && JsonUtil.Str(obj["kind"]) == "Namespace") continue; // "default" is already there
            Store.Seed(obj);
        }
        SeededStorage.Complete(Store); // what the storage controllers did before the scenario's snapshot was taken
        if (Store.Get("namespaces", null, Namespace) == null)
        {
            Store.Seed(new System.Text.Json.Nodes.JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Namespace",
                ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = Namespace },
                ["status"] = new System.Text.Json.Nodes.JsonObject { ["phase"] = "Active" },
            });
        }

        // No client can hold a continue token from before the lab served: the seeding's list snapshots go.
        Store.ForgetListSnapshots();

        if (options.UseTls)
        {
            _certificate = SelfSignedCertificate.Create("kubevirt-lab");
            CertificateAuthorityPem = _certificate.ExportCertificatePem();
        }

        LabHttpServer? server = null;
        Authenticator authenticator = new(Users);
        _authenticator = authenticator;
        ApiHandler? handler = null;
        server = new LabHttpServer(options.Port, _certificate, options.MaxRequestBodyBytes,
            (req, resp, ct) => handler!.HandleAsync(req, resp, ct),
            (code, message) => ErrorBody(code, message, options.MaxRequestBodyBytes))
        {
            ExpiredWatchEvent = ExpiredWatchEvent,
        };
        server.Faults.Configure(scenario.Settings?["faults"]);
        handler = new ApiHandler(Store, authenticator, server.Stopping);
        _http = server;
        _api = handler;
    }

    public LabOptions Options { get; }

    /// <summary>
    /// Refuses, before anything is seeded, an object of a kind (or apiVersion) the lab does not serve, naming the object
    /// and what to do: a real API server would answer 404 for its resource, and the catalog's own message names only
    /// a parameter.
    /// </summary>
    private static void CheckServed(ResourceCatalog catalog, string scenario, JsonObject obj)
    {
        string apiVersion = JsonUtil.Str(obj["apiVersion"])!;
        string kind = JsonUtil.Str(obj["kind"])!;
        if (catalog.FindByApiVersionKind(apiVersion, kind) is not null)
        {
            return;
        }

        string? ns = JsonUtil.Str(obj["metadata"]?["namespace"]);
        string what = $"{kind} '{(ns is null ? "" : ns + "/")}{JsonUtil.Str(obj["metadata"]?["name"])}'";
        string[] served = catalog.All.Where(t => t.Kind == kind)
            .SelectMany(t => t.Versions.Select(v => t.Group.Length == 0 ? v : $"{t.Group}/{v}")).ToArray();
        throw new FormatException(served.Length > 0
            ? $"Scenario '{scenario}': {what} has apiVersion {apiVersion}, which the lab does not serve for {kind}. " +
              $"Use apiVersion {string.Join(" or ", served)}."
            : $"Scenario '{scenario}': {what} (apiVersion {apiVersion}) is of a kind the lab does not serve. Remove " +
              "that document from the scenario; the kinds a scenario may contain are listed in " +
              "Get-Help about_KubeVirtLab_Scenarios.");
    }

    /// <summary>The controllers, or null when <see cref="LabOptions.RunControllers"/> is false.</summary>
    public ControllerHost? Controllers { get; private set; }

    /// <summary>The lab clock (speed from LabOptions.ClockSpeed or the scenario's clockSpeed).</summary>
    public LabClock Clock { get; private set; } = new(1);

    /// <summary>The kube-apiserver built-ins plus each add-on's CRDs, in the order a cluster would install them.</summary>
    private static ResourceCatalog Catalog()
    {
        ResourceCatalog catalog = new();
        ExternalSnapshotterInstallation.Register(catalog);
        KubeVirtInstallation.Register(catalog);
        CdiInstallation.Register(catalog);
        MultusInstallation.Register(catalog);
        return catalog;
    }

    /// <summary>The add-ons' webhooks, aggregated APIs and controllers, once the store holds the scenario.</summary>
    private void StartAddOns(Scenario scenario)
    {
        ControllerSettings settings = ControllerSettings.Parse(scenario.Settings);
        double speed = Options.ClockSpeed != 1 ? Options.ClockSpeed : settings.ClockSpeed ?? 1;
        Clock = new LabClock(speed);
        Controllers = KubeVirtInstallation.Start(Store, Clock, settings, Options.RunControllers);
    }

    /// <summary>A scenario this large leaves hundreds of MB of parse trees behind once seeded.</summary>
    private const int LargeScenarioObjects = 1000;

    /// <summary>Starts a lab and returns once it accepts connections on 127.0.0.1.</summary>
    public static LabServer Start(LabOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        LabServer lab = StartSeeded(options, out int seeded);
        if (seeded >= LargeScenarioObjects)
        {
            // Seeding 10,000 objects parses them all as YAML and JSON trees: garbage the GC would keep as working set
            // (about 320 MB where the lab holds 35 MB). One compacting collection now hands it back to the system, so
            // a lab's footprint is what it holds. Small labs (tests start hundreds) skip it.
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }

        return lab;
    }

    private static LabServer StartSeeded(LabOptions options, out int seeded)
    {
        Scenario scenario = Scenario.Load(options.Scenario);
        seeded = scenario.Objects.Count;
        LabServer lab = new(options, scenario);
        try
        {
            lab.StartAddOns(scenario);
            lab._http.Start();
            lab.Server = new Uri($"{(options.UseTls ? "https" : "http")}://127.0.0.1:{lab._http.Port}");
            lab.KubeconfigPath = options.KubeconfigPath ?? Path.Combine(Path.GetTempPath(), $"kubevirt-lab-{Guid.NewGuid():N}.kubeconfig");
            KubeconfigWriter.Write(lab.KubeconfigPath, options.Name, lab.Server, lab.Token, lab.Namespace, lab.CertificateAuthorityPem);
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>e.g. http://127.0.0.1:41234 or https://127.0.0.1:41234.</summary>
    public Uri Server { get; private set; } = new("http://127.0.0.1");
    /// <summary>The admin bearer token: random per lab. Never logged.</summary>
    public string Token { get; private set; }
    public string KubeconfigPath { get; private set; } = "";
    public string ContextName { get; }
    /// <summary>The kubeconfig context's namespace (scenario setting, else "default").</summary>
    public string Namespace { get; }
    /// <summary>PEM of the self-signed serving certificate (also the CA) when TLS is on.</summary>
    public string? CertificateAuthorityPem { get; }
    /// <summary>
    /// Every resource name a fault rule's <c>resources</c> can match: the served kinds' plurals, their status
    /// subresource, and the aggregated groups' subresources (virtualmachines/start, ...).
    /// </summary>
    public IReadOnlySet<string> ServedResources =>
        Store.Catalog.All.SelectMany(t => t.HasStatus ? new[] { t.Plural, t.Plural + "/status" } : new[] { t.Plural })
            .Concat(Store.AggregatedApis.ResourceNames())
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The fault rules (LabSettings <c>faults</c>, or set on the running lab) that make the server misbehave.</summary>
    public FaultInjector Faults => _http.Faults;
    /// <summary>Total HTTP requests served.</summary>
    public long RequestCount => _api.RequestCount;
    public LabStore Store { get; }
    /// <summary>The admin and the scenario's users.</summary>
    public IReadOnlyList<LabUser> Users { get; private set; }

    /// <summary>
    /// Gives the admin a new token, as an expired or rotated one would be replaced: the old token gets 401 from now
    /// on, and the lab's kubeconfig holds the new one (as after a new `oc login`). Returns the new token.
    /// </summary>
    public string RotateToken()
    {
        LabUser rotated = new() { Name = Users[0].Name, Token = Authenticator.NewToken(), IsAdmin = true };
        _authenticator.Replace(rotated);
        Users = [rotated, .. Users.Skip(1)];
        Token = rotated.Token;
        KubeconfigWriter.Write(KubeconfigPath, Options.Name, Server, Token, Namespace, CertificateAuthorityPem);
        return Token;
    }

    /// <summary>Closes the listener and every open watch. Idempotent.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        KubeVirtInstallation.Stop(Store, Controllers);
        Store.CloseWatches();
        _http.Stop();
        Store.Dispose();
        _certificate?.Dispose();
        DeleteOwnKubeconfig();
    }

    /// <summary>
    /// Deletes the kubeconfig when the lab named it itself (in the temp folder): it holds the admin token of a lab that
    /// no longer exists, and every unit test run left hundreds of them. One the caller named is the caller's. Also
    /// called on its own when the process is being killed (SIGTERM), where there is no time to stop the lab.
    /// </summary>
    public void DeleteOwnKubeconfig()
    {
        if (Options.KubeconfigPath is null && KubeconfigPath.Length > 0)
        {
            try { File.Delete(KubeconfigPath); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    public void Dispose() => Stop();

    public override string ToString() => $"{ContextName} {Server}";

    /// <summary>What the watch cache sends for compacted history: an ERROR event carrying a 410 Expired Status.</summary>
    private static byte[] ExpiredWatchEvent(long fromRv)
    {
        ApiException expired = Errors.Expired($"too old resource version: {fromRv} ({fromRv + 1})");
        return JsonUtil.ToBytes(new JsonObject { ["type"] = "ERROR", ["object"] = expired.Status.DeepClone() }).Concat("\n"u8.ToArray()).ToArray();
    }

    private static byte[] ErrorBody(int code, string message, int limit)
    {
        ApiException error = code switch
        {
            413 => Errors.TooLarge(limit),
            400 or 431 => Errors.BadRequest(message),
            _ => Errors.Internal(message),
        };
        return JsonUtil.ToBytes(error.Status);
    }
}

using VmSnapshot.Lab.Auth;
using VmSnapshot.Lab.Http;

namespace VmSnapshot.Lab.Api;

/// <summary>One authenticated API request on its way through the handlers.</summary>
internal sealed class RequestContext(HttpRequest request, HttpResponse response, LabUser user, CancellationToken cancellation)
{
    public HttpRequest Request { get; } = request;
    public HttpResponse Response { get; } = response;
    public LabUser User { get; } = user;
    public CancellationToken Cancellation { get; } = cancellation;
    public QueryString Query => Request.Query;
    public bool DryRun => Query.All("dryRun").Contains("All");
    public bool WantsTable => TableBuilder.Wants(Request.Header("Accept"));
    /// <summary>What each Table row carries (?includeObject); throws the apiserver's 400 for an unknown value.</summary>
    public string TableIncludeObject => TableBuilder.IncludeObjectPolicy(Query["includeObject"]);
    /// <summary>Sent back as "Warning: 299 - ..." headers (unknown fields under fieldValidation=Warn).</summary>
    public List<string> Warnings { get; } = [];
}

using k8s;
using k8s.Models;
using VmSnapshot.Core.Api;

namespace VmSnapshot.Core.Quiesce;

/// <summary>
/// Asks the API server what the caller may do (SelfSubjectAccessReview, as 'kubectl auth can-i' does), so missing
/// rights show up as a check instead of as a 403 halfway through a change.
/// </summary>
internal static class AccessReviewer
{
    /// <summary>May the caller create VirtualMachineSnapshots in the namespace?</summary>
    public static Task<AccessAnswer> CanCreateSnapshotAsync(IKubernetes client, string @namespace,
        CancellationToken cancelToken) =>
        AskAsync(client, new V1ResourceAttributes
        {
            NamespaceProperty = @namespace, Verb = "create", Group = "snapshot.kubevirt.io",
            Resource = "virtualmachinesnapshots",
        }, cancelToken);

    /// <summary>May the caller freeze VMIs in the namespace (PUT is the RBAC verb update)?</summary>
    public static Task<AccessAnswer> CanFreezeAsync(IKubernetes client, string @namespace, CancellationToken cancelToken) =>
        AskAsync(client, new V1ResourceAttributes
        {
            NamespaceProperty = @namespace, Verb = "update", Group = QuiesceResources.SubresourceGroup,
            Resource = "virtualmachineinstances", Subresource = "freeze",
        }, cancelToken);

    private static async Task<AccessAnswer> AskAsync(IKubernetes client, V1ResourceAttributes attributes,
        CancellationToken cancelToken)
    {
        string what = $"{attributes.Verb} {attributes.Resource}{(attributes.Subresource is null ? "" : "/" + attributes.Subresource)}." +
            $"{attributes.Group} in namespace '{attributes.NamespaceProperty}'";
        V1SelfSubjectAccessReview review = new()
        {
            ApiVersion = "authorization.k8s.io/v1",
            Kind = "SelfSubjectAccessReview",
            Spec = new V1SelfSubjectAccessReviewSpec { ResourceAttributes = attributes },
        };
        try
        {
            V1SelfSubjectAccessReview answer = await ApiCall.RunAsync(
                new ApiRequest("create", QuiesceResources.SelfSubjectAccessReview, null),
                ct => client.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(review, cancellationToken: ct),
                cancelToken).ConfigureAwait(false);
            V1SubjectAccessReviewStatus? status = answer.Status;
            if (status is null)
            {
                return AccessAnswer.Unknown($"the access review for {what} came back without an answer");
            }

            string detail = status.Allowed
                ? $"{what}: allowed"
                : $"{what}: denied{(string.IsNullOrEmpty(status.Reason) ? "" : $" ({status.Reason})")}";
            return new AccessAnswer(status.Allowed && status.Denied != true, detail);
        }
        catch (KubeApiException e) when (e.Kind is ApiErrorKind.Forbidden or ApiErrorKind.NotFound or ApiErrorKind.ServerError
                                             or ApiErrorKind.Invalid)
        {
            // A cluster that refuses access reviews tells us nothing about the rights themselves.
            return AccessAnswer.Unknown($"the access review for {what} failed: {e.Message}");
        }
    }
}

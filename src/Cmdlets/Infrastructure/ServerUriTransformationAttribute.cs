using System.Management.Automation;
using VmSnapshot.Core.Connection;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// Turns -Server text into an absolute URI, or refuses it with a message that shows the expected form. PowerShell's
/// own conversion fails on 'https://' with "Cannot convert" and accepts 'not a uri' as a relative URI, which then
/// fails deep in the client; a missing scheme is the most common slip, so it is named.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ServerUriTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc/>
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        if (value is Uri uri)
        {
            return uri;
        }

        string text = value?.ToString()?.Trim() ?? string.Empty;
        if (Uri.TryCreate(text, UriKind.Absolute, out Uri? parsed))
        {
            return parsed; // Scheme and host are checked with the rest of the connection (InvalidServerUri).
        }

        throw new ArgumentTransformationMetadataException(
            $"'{text}' is not an API server address: give an absolute URI such as https://api.ocp.example.com:6443.{ConnectionFactory.SchemeHint(text)}");
    }
}

using System.Diagnostics;
using System.Text.Json;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Quiesce;

/// <summary>
/// -Trial: freezes the guest for real, optionally holds it, and thaws it, measuring the freeze. The thaw is sent
/// whatever happens (success, freeze error, Ctrl+C) in a finally block with its own timeout, and confirmed by
/// re-reading the instance's fsFreezeStatus; the freeze carries a short unfreezeTimeout so that even a killed
/// process leaves the guest frozen only briefly.
/// </summary>
public static class QuiesceTrial
{
    /// <summary>How long after the hold the cluster thaws by itself if no thaw arrives.</summary>
    public static readonly TimeSpan UnfreezeMargin = TimeSpan.FromSeconds(30);

    /// <summary>How long the thaw may take, independent of Ctrl+C (which must not cancel it).</summary>
    public static readonly TimeSpan ThawTimeout = TimeSpan.FromSeconds(20);

    private const int ThawAttempts = 3;

    public static async Task<TrialOutcome> RunAsync(KubeVirtConnection connection, string @namespace, string name,
        TimeSpan hold, CancellationToken cancelToken)
    {
        TimeSpan unfreezeTimeout = hold + UnfreezeMargin;
        Stopwatch watch = Stopwatch.StartNew();
        TimeSpan? freezeDuration = null;
        string? freezeError = null;
        ThawResult thaw;
        try
        {
            try
            {
                await GuestFreezer.FreezeAsync(connection, @namespace, name, unfreezeTimeout, cancelToken).ConfigureAwait(false);
                freezeDuration = watch.Elapsed;
                if (hold > TimeSpan.Zero)
                {
                    await Task.Delay(hold, cancelToken).ConfigureAwait(false);
                }
            }
            catch (KubeApiException e)
            {
                freezeError = e.Message;
            }
        }
        finally
        {
            // Runs on Ctrl+C too, before the cancellation reaches the caller.
            thaw = await ThawAsync(connection, @namespace, name).ConfigureAwait(false);
        }

        return new TrialOutcome
        {
            FreezeDuration = freezeDuration,
            FreezeError = freezeError,
            // A thaw error after a failed freeze is only noise (there was nothing to thaw), unless the guest is frozen.
            ThawError = freezeError is null || thaw.StillFrozen == true ? thaw.Error : null,
            StillFrozen = thaw.StillFrozen,
            Held = freezeDuration is null ? TimeSpan.Zero : hold,
            UnfreezeTimeout = unfreezeTimeout,
        };
    }

    /// <summary>
    /// Thaws and confirms, up to three times: a freeze cut off by Ctrl+C may still land on the server after the
    /// first thaw. Never cancelled by the caller, only by its own timeout.
    /// </summary>
    public static async Task<ThawResult> ThawAsync(KubeVirtConnection connection, string @namespace, string name)
    {
        using CancellationTokenSource timeout = new(ThawTimeout);
        string? error = null;
        bool? stillFrozen = null;
        for (int attempt = 1; attempt <= ThawAttempts; attempt++)
        {
            try
            {
                await GuestFreezer.UnfreezeAsync(connection, @namespace, name, timeout.Token).ConfigureAwait(false);
                error = null;
            }
            catch (KubeApiException e)
            {
                error = e.Message;
            }
            catch (OperationCanceledException)
            {
                error ??= $"the thaw did not complete within {ThawTimeout.TotalSeconds:0} s";
                break;
            }

            stillFrozen = await IsFrozenAsync(connection, @namespace, name, timeout.Token).ConfigureAwait(false);
            if (stillFrozen != true)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), CancellationToken.None).ConfigureAwait(false);
        }

        return new ThawResult(error, stillFrozen);
    }

    private static async Task<bool?> IsFrozenAsync(KubeVirtConnection connection, string @namespace, string name,
        CancellationToken cancelToken)
    {
        try
        {
            JsonElement? vmi = await CustomResources.GetAsync(ConnectionFactory.ClientFor(connection).Client,
                ResourceType.VirtualMachineInstance, @namespace, name, cancelToken).ConfigureAwait(false);
            return vmi is { } found && found.Child("status").String("fsFreezeStatus") == "frozen";
        }
        catch (Exception e) when (e is KubeApiException or OperationCanceledException)
        {
            return null;
        }
    }
}

/// <summary>What a thaw achieved.</summary>
/// <param name="Error">The last thaw error, verbatim; null when the last attempt worked.</param>
/// <param name="StillFrozen">Whether the instance still reported fsFreezeStatus frozen; null when it could not be read.</param>
public sealed record ThawResult(string? Error, bool? StillFrozen);

using System.Management.Automation;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// Checks a TimeSpan parameter before anything is sent: a wait must be positive and at most 24 days (the longest
/// a .NET timer can run); a deadline may also be zero. Without this, a negative -Timeout would create the snapshot and
/// then fail with a bare ArgumentOutOfRangeException.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ValidateTimeSpanAttribute : ValidateArgumentsAttribute
{
    private static readonly TimeSpan s_longest = TimeSpan.FromDays(24);

    /// <summary>True when zero is allowed (it means "none" for a failure deadline).</summary>
    public bool AllowZero { get; set; }

    /// <inheritdoc/>
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        object value = arguments is PSObject wrapped ? wrapped.BaseObject : arguments;
        if (value is not TimeSpan span)
        {
            return;
        }

        bool tooSmall = AllowZero ? span < TimeSpan.Zero : span <= TimeSpan.Zero;
        if (tooSmall || span > s_longest)
        {
            throw new ValidationMetadataException(
                $"{span} is not allowed: give a duration {(AllowZero ? "of 0 (none) or more" : "greater than 0")}, at most 24 days, " +
                "e.g. (New-TimeSpan -Minutes 10).");
        }
    }
}

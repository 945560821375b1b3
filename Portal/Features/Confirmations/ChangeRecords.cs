using Portal.Data;
using Portal.Identity;

namespace Portal.Features.Confirmations;

/// <summary>What became of a call on <see cref="ChangeRequests"/> and <see cref="ChangeModeration"/>.</summary>
public enum ChangeOutcome
{
    /// <summary>Stored and its secret sent (or queued for a moderator).</summary>
    Requested,

    /// <summary>The input has errors (see <see cref="ChangeResult.Errors"/>); nothing was stored.</summary>
    Invalid,

    /// <summary>The proposed values equal the current ones; nothing was stored.</summary>
    Unchanged,

    /// <summary>Asked too often; <see cref="ChangeResult.RetryAfter"/> says when asking works again.</summary>
    TooManyRequests,

    /// <summary>Too many wrong codes in a row for the account: no code is checked until the lock ends or a moderator lifts it.</summary>
    CodeEntryLocked,

    WrongCode,

    /// <summary>The code died after too many wrong tries.</summary>
    CodeDead,

    Expired,

    /// <summary>No such change (or not the caller's), or the link is unknown.</summary>
    NotFound,

    /// <summary>The change was decided, cancelled or replaced already.</summary>
    NotPending,

    Applied,

    /// <summary>The record changed since the request: a moderator decides now.</summary>
    AwaitingModerator,

    /// <summary>One approval given; another moderator must approve too.</summary>
    Approved,

    /// <summary>Not applied; the message says why (record changed, gone, no longer valid).</summary>
    Failed,

    Cancelled,
    Rejected,

    /// <summary>An applied change of address undone from the old address.</summary>
    Reverted,

    /// <summary>The moderator holds the claim now.</summary>
    Claimed,

    /// <summary>Another moderator holds the claim.</summary>
    ClaimedByOther,

    /// <summary>The change differs from the version the moderator saw; look again.</summary>
    VersionChanged,

    /// <summary>Four-eyes: nobody decides on their own request or record, nor approves twice.</summary>
    NotAllowed,
}

/// <summary>The outcome of a call, a message for the person, for code entry the tries left, and when refused for now how long to wait.</summary>
public sealed record ChangeResult(
    ChangeOutcome Outcome, string Message, long? ChangeId = null, IReadOnlyDictionary<string, string>? Errors = null, int? TriesLeft = null, TimeSpan? RetryAfter = null)
{
    public bool Succeeded => Outcome is ChangeOutcome.Requested or ChangeOutcome.Applied or ChangeOutcome.AwaitingModerator
        or ChangeOutcome.Approved or ChangeOutcome.Cancelled or ChangeOutcome.Rejected or ChangeOutcome.Claimed or ChangeOutcome.Reverted;
}

/// <summary>One field of a change: its value at request time, the proposed value, and (for moderators) its value now.</summary>
public sealed record FieldDiff(string Name, string Label, string? Before, string? Proposed, string? Now)
{
    /// <summary>The record's value differs from the one the request started from.</summary>
    public bool ChangedSince => Now != Before;
}

/// <summary>A change as its requester sees it.</summary>
public sealed record ChangeSummary(
    long Id, string Kind, string Title, ChangeStatus Status, ChangeChannel Channel, string? Destination,
    DateTime CreatedAt, DateTime ExpiresAt, DateTime StatusAt, string? Reason, int TriesLeft,
    IReadOnlyList<FieldDiff> Fields)
{
    public bool IsOpen => Status is ChangeStatus.Pending or ChangeStatus.Confirmed;

    /// <summary>Whether a code is entered for it (SMS, letter, transfer) while it is pending.</summary>
    public bool TakesCode => Status == ChangeStatus.Pending && Channel is ChangeChannel.Sms or ChangeChannel.Letter or ChangeChannel.Transfer;

    public bool CanResend => Status == ChangeStatus.Pending && Channel != ChangeChannel.Moderator;
}

/// <summary>Filters of the review queue; every one is optional.</summary>
/// <param name="OlderThan">Only changes waiting at least this long.</param>
/// <param name="Requester">Part of the requester's name.</param>
public sealed record ReviewFilter(string? Kind = null, TimeSpan? OlderThan = null, string? Requester = null);

/// <summary>A row of the review queue.</summary>
public sealed record ReviewRow(
    long Id, string Kind, string Title, string TargetId, string RequestedByName, DateTime CreatedAt, ChangeStatus Status,
    bool TargetChanged, int ApprovalsGiven, int ApprovalsNeeded, string? FirstApproverName,
    string? ClaimedByName, DateTime? ClaimedUntil, int Version);

/// <summary>What a moderator sees of one change: the row, the field diff, and the record's earlier changes.</summary>
/// <param name="TargetGone">The record was deleted since the request.</param>
public sealed record ChangeDetail(ReviewRow Change, IReadOnlyList<FieldDiff> Fields, string? RequestedById, bool TargetGone, IReadOnlyList<ChangeSummary> History);

/// <summary>A link opened: the change it confirms or cancels, or why it cannot.</summary>
public sealed record OpenedChangeLink(ChangeSummary? Change, ChangeOutcome? Problem, string? Message);

/// <summary>How the member pages answer a call refused for now.</summary>
public static class ChangeResponses
{
    /// <summary>Asked too often: the answer is 429 with Retry-After, and the page says when asking works again.</summary>
    public static void RefuseIfTooSoon(this HttpContext context, ChangeResult result)
    {
        if (result.RetryAfter is { } wait)
        {
            context.RefuseForNow(wait);
        }
    }
}

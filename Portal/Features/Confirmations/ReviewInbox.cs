using Portal.Data;
using Portal.Features.Registration;
using Portal.Identity;

namespace Portal.Features.Confirmations;

public enum InboxSource
{
    Change,
    SignUp,
}

/// <summary>One thing a moderator must decide: a deferred change or a sign-up awaiting approval.</summary>
/// <param name="Kind">The change kind's name, or <see cref="ReviewInbox.SignUpKind"/>.</param>
/// <param name="Version">The change's version as listed; approving applies exactly this one.</param>
public sealed record InboxItem(
    InboxSource Source, long Id, string Kind, string Title, string Requester, DateTime CreatedAt, bool TargetChanged,
    int ApprovalsGiven, int ApprovalsNeeded, string? ClaimedByName, DateTime? ClaimedUntil, int Version)
{
    public string Key => $"{Source}-{Id}";

    public static InboxItem From(ReviewRow row) => new(
        InboxSource.Change, row.Id, row.Kind, row.Title, row.RequestedByName, row.CreatedAt, row.TargetChanged,
        row.ApprovalsGiven, row.ApprovalsNeeded, row.ClaimedByName, row.ClaimedUntil, row.Version);
}

/// <summary>Filters of the inbox; every one is optional.</summary>
public sealed record InboxFilter(string? Kind = null, TimeSpan? OlderThan = null, string? Requester = null, bool NewestFirst = false);

public sealed record InboxKindCount(string Kind, string Title, int Count);

/// <summary>The items that match, and per kind how many wait (with the age and requester filters, whatever the kind filter).</summary>
public sealed record Inbox(IReadOnlyList<InboxItem> Items, IReadOnlyList<InboxKindCount> Counts)
{
    public int Total => Counts.Sum(c => c.Count);
}

/// <summary>How many items wait for a moderator, of each source.</summary>
public sealed record InboxWaiting(int SignUps, int Changes)
{
    public int Total => SignUps + Changes;

    /// <summary>"1 sign-up, 2 changes": what waits, in words.</summary>
    public string Summary => $"{SignUps:N0} sign-up{(SignUps == 1 ? "" : "s")}, {Changes:N0} change{(Changes == 1 ? "" : "s")}";
}

/// <summary>What became of one item of a decision, in words for the moderator.</summary>
public sealed record InboxDecision(InboxItem Item, bool Done, string Message);

/// <summary>
/// The moderators' one inbox: deferred changes waiting for a moderator and sign-ups awaiting
/// approval, listed together and decided together. Each source keeps its own rules (four-eyes,
/// versions, claims); this only merges and routes.
/// </summary>
public sealed class ReviewInbox(DeferredChanges changes, RegistrationReview signUps, TimeProvider clock)
{
    public const string SignUpKind = "sign-up";
    public const string SignUpTitle = "Sign-up";

    /// <summary>Raised after decisions taken here, so open inboxes and badges can count again.</summary>
    public event Action? Decided;

    /// <summary>The reasons to pick from: those for changes, then those for sign-ups.</summary>
    public IReadOnlyList<string> RejectionReasons => [.. changes.RejectionReasons.Concat(signUps.RejectionReasons).Distinct()];

    /// <summary>Every kind that can be in the inbox, for the filter.</summary>
    public IReadOnlyList<InboxKindCount> Kinds =>
        [.. changes.Kinds.Select(k => new InboxKindCount(k.Name, k.Title, 0)), new InboxKindCount(SignUpKind, SignUpTitle, 0)];

    /// <summary>
    /// Up to <see cref="PageRequest.MaxTake"/> of each source, oldest first (or newest first); a queue
    /// longer than that is worked from its head.
    /// </summary>
    public async Task<Inbox> ListAsync(Actor actor, InboxFilter filter, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Moderation);
        var pending = await changes.ReviewQueueAsync(actor, new ReviewFilter(null, filter.OlderThan, filter.Requester), new PageRequest(0, PageRequest.MaxTake), cancellationToken);
        var applications = await signUps.ListAsync(actor, new SignUpQuery(SignUpStatus.AwaitingApproval, null, filter.Requester), new PageRequest(0, PageRequest.MaxTake), cancellationToken);
        var cutoff = filter.OlderThan is { } age ? clock.GetUtcNow().UtcDateTime - age : DateTime.MaxValue;
        var all = pending.Items.Select(InboxItem.From)
            .Concat(applications.Items.Where(s => s.CreatedAt <= cutoff).Select(s => new InboxItem(
                InboxSource.SignUp, s.Id, SignUpKind, SignUpTitle, $"{s.UserName} <{s.Email}>", s.CreatedAt, false, 0, 1, null, null, 0)))
            .ToList();
        var counts = all.GroupBy(i => (i.Kind, i.Title)).Select(g => new InboxKindCount(g.Key.Kind, g.Key.Title, g.Count())).OrderBy(c => c.Title).ToList();
        var items = all.Where(i => string.IsNullOrWhiteSpace(filter.Kind) || i.Kind == filter.Kind);
        items = filter.NewestFirst ? items.OrderByDescending(i => i.CreatedAt) : items.OrderBy(i => i.CreatedAt);
        return new Inbox([.. items], counts);
    }

    /// <summary>How many items wait, for the sidebar and the dashboard.</summary>
    public async Task<InboxWaiting> WaitingAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Moderation);
        return new InboxWaiting(await signUps.CountAwaitingAsync(actor, cancellationToken), await changes.ReviewCountAsync(actor, cancellationToken));
    }

    /// <summary>Approves each item; a change is approved at the version it was listed with.</summary>
    public async Task<IReadOnlyList<InboxDecision>> ApproveAsync(Actor actor, IReadOnlyList<InboxItem> items, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Moderation);
        var decisions = new List<InboxDecision>();
        var pending = items.Where(i => i.Source == InboxSource.Change).ToList();
        if (pending.Count > 0)
        {
            var results = await changes.ApproveManyAsync(actor, [.. pending.Select(i => (i.Id, i.Version))], cancellationToken);
            decisions.AddRange(pending.Zip(results, (item, result) => new InboxDecision(item, result.Succeeded, result.Message)));
        }
        decisions.AddRange(await DecideSignUpsAsync(items, ids => signUps.ApproveAsync(actor, ids, cancellationToken), "Approved."));
        Decided?.Invoke();
        return decisions;
    }

    /// <summary>Rejects each item with one reason, which is mailed to each requester.</summary>
    public async Task<IReadOnlyList<InboxDecision>> RejectAsync(Actor actor, IReadOnlyList<InboxItem> items, string reason, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Moderation);
        if (RegistrationReview.CheckReason(reason) is { } problem)
        {
            throw new ArgumentException(problem, nameof(reason));
        }
        var decisions = new List<InboxDecision>();
        var pending = items.Where(i => i.Source == InboxSource.Change).ToList();
        if (pending.Count > 0)
        {
            var results = await changes.RejectManyAsync(actor, [.. pending.Select(i => i.Id)], reason, cancellationToken);
            decisions.AddRange(pending.Zip(results, (item, result) => new InboxDecision(item, result.Succeeded, result.Message)));
        }
        decisions.AddRange(await DecideSignUpsAsync(items, ids => signUps.RejectAsync(actor, ids, reason, cancellationToken), "Rejected."));
        Decided?.Invoke();
        return decisions;
    }

    private static async Task<IEnumerable<InboxDecision>> DecideSignUpsAsync(
        IReadOnlyList<InboxItem> items, Func<IReadOnlyCollection<long>, Task<ReviewResult>> decide, string done)
    {
        var asked = items.Where(i => i.Source == InboxSource.SignUp).ToList();
        if (asked.Count == 0)
        {
            return [];
        }
        var skipped = (await decide([.. asked.Select(i => i.Id)])).Skipped.ToDictionary(s => s.Id);
        return asked.Select(i => skipped.TryGetValue(i.Id, out var skip)
            ? new InboxDecision(i, false, $"The sign-up {skip.Why}.")
            : new InboxDecision(i, true, done));
    }
}

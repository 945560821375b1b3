using Portal.Data;
using Portal.Features.Registration;
using Portal.Identity;
using Portal.Localization;

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

    /// <summary>The item as of <paramref name="now"/>: a claim that ran out names nobody.</summary>
    public InboxItem ClaimAsOf(DateTime now) => ClaimedUntil > now ? this : this with { ClaimedByName = null, ClaimedUntil = null };
}

/// <summary>Filters of the inbox; every one is optional.</summary>
public sealed record InboxFilter(string? Kind = null, TimeSpan? OlderThan = null, string? Requester = null, bool NewestFirst = false);

public sealed record InboxKindCount(string Kind, string Title, int Count);

/// <summary>
/// One page of the items that match, how many match in all (<paramref name="Matching"/>), and per
/// kind how many wait (with the age and requester filters, whatever the kind filter).
/// </summary>
public sealed record Inbox(IReadOnlyList<InboxItem> Items, IReadOnlyList<InboxKindCount> Counts, int Matching)
{
    public int Total => Counts.Sum(c => c.Count);
}

/// <summary>How many items wait for a moderator, of each source.</summary>
public sealed record InboxWaiting(int SignUps, int Changes)
{
    public int Total => SignUps + Changes;

    /// <summary>"1 sign-up, 2 changes": what waits, in words.</summary>
    public string Summary => ReviewInbox.Texts.Format("Waiting",
        SignUps == 1 ? ReviewInbox.Texts["SignUpsOne"] : ReviewInbox.Texts.Format("SignUpsMany", SignUps),
        Changes == 1 ? ReviewInbox.Texts["ChangesOne"] : ReviewInbox.Texts.Format("ChangesMany", Changes));
}

/// <summary>What became of one item of a decision, in words for the moderator; for a change, also its <paramref name="Outcome"/>.</summary>
public sealed record InboxDecision(InboxItem Item, bool Done, string Message, ChangeOutcome? Outcome = null);

/// <summary>
/// The moderators' one inbox: deferred changes waiting for a moderator and sign-ups awaiting
/// approval, listed together and decided together. Each source keeps its own rules (four-eyes,
/// versions, claims); this only merges and routes.
/// </summary>
public sealed class ReviewInbox(ChangeModeration changes, RegistrationReview signUps, TimeProvider clock)
{
    public const string SignUpKind = "sign-up";

    internal static readonly StaticTexts Texts = new(typeof(ReviewInbox));

    /// <summary>The sign-ups' name beside the change kinds' titles.</summary>
    public static string SignUpTitle => Texts["SignUpTitle"];

    /// <summary>Raised after decisions taken here, so open inboxes and badges can count again.</summary>
    public event Action? Decided;

    /// <summary>The reasons to pick from: those for changes, then those for sign-ups.</summary>
    public IReadOnlyList<string> RejectionReasons => [.. changes.RejectionReasons.Concat(signUps.RejectionReasons).Distinct()];

    /// <summary>Every kind that can be in the inbox, for the filter.</summary>
    public IReadOnlyList<InboxKindCount> Kinds =>
        [.. changes.Kinds.Select(k => new InboxKindCount(k.Name, k.Title, 0)), new InboxKindCount(SignUpKind, SignUpTitle, 0)];

    /// <summary>
    /// One page of both sources merged, oldest first (or newest first). Each source is read from its
    /// head in that order, so the merged list reaches its first <see cref="PageRequest.MaxTake"/>
    /// items (<see cref="Reachable"/>); the counts are of everything that waits.
    /// </summary>
    public async Task<Inbox> ListAsync(Actor actor, InboxFilter filter, PageRequest? page = null, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Moderation);
        page ??= new PageRequest(0, PageRequest.MaxTake);
        var head = new PageRequest(0, Math.Clamp(page.Skip + page.Take, 1, PageRequest.MaxTake), nameof(InboxItem.CreatedAt), filter.NewestFirst);
        var kind = string.IsNullOrWhiteSpace(filter.Kind) ? null : filter.Kind;
        var wantsChanges = kind != SignUpKind;
        var wantsSignUps = kind is null or SignUpKind;

        var changeCounts = await changes.ReviewCountsAsync(actor, new ReviewFilter(null, filter.OlderThan, filter.Requester), cancellationToken);
        var pending = wantsChanges
            ? await changes.ReviewQueueAsync(actor, new ReviewFilter(kind, filter.OlderThan, filter.Requester), head, cancellationToken)
            : new Page<ReviewRow>([], 0);
        var cutoff = filter.OlderThan is { } age ? clock.GetUtcNow().UtcDateTime - age : (DateTime?)null;
        // Read for its count alone when another kind is asked for.
        var applications = await signUps.ListAsync(
            actor, new SignUpQuery(SignUpStatus.AwaitingApproval, null, filter.Requester, cutoff), wantsSignUps ? head : new PageRequest(0, 1), cancellationToken);

        var now = clock.GetUtcNow().UtcDateTime;
        var merged = pending.Items.Select(r => InboxItem.From(r).ClaimAsOf(now)).Concat(wantsSignUps
            ? applications.Items.Select(s => new InboxItem(
                InboxSource.SignUp, s.Id, SignUpKind, SignUpTitle, $"{s.UserName} <{s.Email}>", s.CreatedAt, false, 0, 1, null, null, 0))
            : []);
        merged = filter.NewestFirst ? merged.OrderByDescending(i => i.CreatedAt) : merged.OrderBy(i => i.CreatedAt);
        var titles = changes.Kinds.ToDictionary(k => k.Name, k => k.Title);
        var counts = changeCounts.Select(c => new InboxKindCount(c.Key, titles.GetValueOrDefault(c.Key, c.Key), c.Value))
            .Append(new InboxKindCount(SignUpKind, SignUpTitle, applications.Total))
            .Where(c => c.Count > 0)
            .OrderBy(c => c.Title, StringComparer.CurrentCulture)
            .ToList();
        var matching = (wantsChanges ? pending.Total : 0) + (wantsSignUps ? applications.Total : 0);
        return new Inbox([.. merged.Skip(page.Skip).Take(page.Take)], counts, matching);
    }

    /// <summary>How far the merged list can be paged: its first <see cref="PageRequest.MaxTake"/> items; filters reach the rest.</summary>
    public static int Reachable(int matching) => Math.Min(matching, PageRequest.MaxTake);

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
            decisions.AddRange(pending.Zip(results, (item, result) => new InboxDecision(item, result.Succeeded, result.Message, result.Outcome)));
        }
        decisions.AddRange(await DecideSignUpsAsync(items, ids => signUps.ApproveAsync(actor, ids, cancellationToken), Texts["Approved"]));
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
            decisions.AddRange(pending.Zip(results, (item, result) => new InboxDecision(item, result.Succeeded, result.Message, result.Outcome)));
        }
        decisions.AddRange(await DecideSignUpsAsync(items, ids => signUps.RejectAsync(actor, ids, reason, cancellationToken), Texts["Rejected"]));
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
            ? new InboxDecision(i, false, Texts.Format("SignUpSkipped", skip.Why))
            : new InboxDecision(i, true, done));
    }
}

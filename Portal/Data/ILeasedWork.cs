namespace Portal.Data;

/// <summary>
/// A row a background dispatcher sends when it is due (a message, a webhook delivery): nodes sharing
/// the database take batches of them under a lease (see <c>Portal.Background.Leases</c>).
/// </summary>
public interface ILeasedWork
{
    long Id { get; }

    DateTime NextAttemptAt { get; }

    /// <summary>The batch that holds it, while <see cref="ClaimedUntil"/> is ahead.</summary>
    Guid? ClaimId { get; }

    DateTime? ClaimedUntil { get; }
}

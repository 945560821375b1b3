using Portal.Data;
using Portal.Email;
using Portal.Email.Mails.Invitations;

namespace Portal.Features.Invitations;

/// <summary>An invitation ready to go out: the stored record and the links made from its fresh token.</summary>
public sealed record InvitationLetter(Invitation Invitation, string AcceptUrl, string OptOutUrl, string OneClickOptOutUrl);

/// <summary>
/// How invitations reach their invitees (django-inviter's <c>sendfn</c>): the letters of one
/// transaction, one invitation or a bulk run's batch. It is called inside that transaction: whatever
/// it stores commits or rolls back with the invitations.
/// </summary>
public interface IInvitationSender
{
    Task SendAsync(PortalDbContext db, IReadOnlyList<InvitationLetter> letters, CancellationToken cancellationToken);
}

/// <summary>The default: the invitation template, queued through the outbox, with one-click opt-out headers.</summary>
public sealed class OutboxInvitationSender(Mailer mailer) : IInvitationSender
{
    public Task SendAsync(PortalDbContext db, IReadOnlyList<InvitationLetter> letters, CancellationToken cancellationToken) =>
        mailer.QueueAllAsync(db, [.. letters.Select(Queued)], cancellationToken);

    private static QueuedMail<InvitationMail> Queued(InvitationLetter letter)
    {
        var invitation = letter.Invitation;
        var mail = new InvitationMail(invitation.InviterName, invitation.Name, invitation.Email!, invitation.Message, invitation.Role,
            invitation.ExpiresAt - invitation.LastSentAt, letter.AcceptUrl, letter.OptOutUrl);
        // RFC 8058: mail clients offer "unsubscribe" and POST to this address without opening a page.
        var headers = new Dictionary<string, string>
        {
            ["List-Unsubscribe"] = $"<{letter.OneClickOptOutUrl}>",
            ["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click",
        };
        return new QueuedMail<InvitationMail>(invitation.Email!, mail, headers, invitation.Language);
    }
}

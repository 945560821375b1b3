namespace Portal.Email.Mails.Invitations;

/// <param name="Message">The inviter's personal message, plain text (it is HTML-encoded on the way out).</param>
/// <param name="Role">The role the invitee gets on registering, if any.</param>
/// <param name="Name">The invitee's name, when the inviter gave one.</param>
public sealed record InvitationMail(
    string InviterName,
    string? Name,
    string Email,
    string? Message,
    string? Role,
    TimeSpan ValidFor,
    string AcceptUrl,
    string OptOutUrl)
    : IMail<InvitationMail>
{
    public static string Template => "Invitations/Invitation.cshtml";


    public static InvitationMail Sample(MailBrand brand) => new(
        "Grace Hopper", "Ada", "ada@example.org",
        "Hello Ada,\nwe are setting up the new member portal and would love to have you on board.\nSee you there!",
        "Moderator", TimeSpan.FromDays(14),
        brand.Link("invite/SAMPLE"), brand.Link("invite/SAMPLE/opt-out"));
}

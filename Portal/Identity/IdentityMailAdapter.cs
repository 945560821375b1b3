using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.UI.Services;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Email;
using Portal.Email.Mails.Account;

namespace Portal.Identity;

/// <summary>
/// Identity UI's pages hand over their mail as a subject and a finished HTML body, with a link built
/// from the request's Host. This adapter recognises the two kinds they send, takes the link's path
/// and query, rebuilds the link on the configured public base URL (confirmation links go to the
/// portal's own confirmation page), and queues the portal's own template through the outbox.
/// </summary>
public sealed partial class IdentityMailAdapter(
    IDbContextFactory<PortalDbContext> dbFactory,
    Mailer mailer,
    AccountEmails accountEmails,
    ILookupNormalizer normalizer,
    IOptions<PortalOptions> portal) : IEmailSender
{
    public static readonly TimeSpan ResetLinkLifetime = TimeSpan.FromHours(3);

    // The subjects Identity UI uses (older versions said "Reset Password").
    private static readonly string[] ResetSubjects = ["Reset your password", "Reset Password"];
    private const string ConfirmSubject = "Confirm your email";

    public async Task SendEmailAsync(string email, string subject, string htmlMessage)
    {
        var link = Rebase(ExtractLink(htmlMessage));
        await using var db = await dbFactory.CreateDbContextAsync();
        var user = await FindUserAsync(db, email, link);

        if (ResetSubjects.Contains(subject))
        {
            if (user is null)
            {
                return;
            }
            // To the address as stored, whatever spelling was typed into the form.
            await mailer.QueueAsync(db, user.Email!, new PasswordResetMail(user.UserName!, link, ResetLinkLifetime));
        }
        else if (subject == ConfirmSubject)
        {
            if (user is null)
            {
                return;
            }
            // To the portal's confirmation page, which acts only when its button is pressed.
            var query = QueryHelpers.ParseQuery(new Uri(link).Query);
            var confirm = accountEmails.ConfirmLink(user.Id, query.TryGetValue("email", out var changeTo) ? changeTo.ToString() : null, query["code"].ToString());
            await mailer.QueueAsync(db, email, new EmailConfirmationMail(user.UserName!, email, confirm));
        }
        else
        {
            throw new InvalidOperationException($"Identity sent a message the portal has no template for: '{subject}'.");
        }
        await db.SaveChangesAsync();
    }

    private async Task<PortalUser?> FindUserAsync(PortalDbContext db, string email, string link)
    {
        var query = QueryHelpers.ParseQuery(new Uri(link).Query);
        if (query.TryGetValue("userId", out var userId))
        {
            var id = userId.ToString();
            return await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id);
        }
        var normalized = normalizer.NormalizeEmail(email);
        return await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.NormalizedEmail == normalized);
    }

    private static string ExtractLink(string html)
    {
        var match = Href().Match(html);
        return match.Success
            ? WebUtility.HtmlDecode(match.Groups["url"].Value)
            : throw new InvalidOperationException("Identity's message carries no link.");
    }

    /// <summary>The same path and query on the public base URL; the Host Identity saw is dropped.</summary>
    private string Rebase(string link)
    {
        var baseUri = portal.Value.BaseUri;
        var pathAndQuery = new Uri(link).PathAndQuery;
        var relative = pathAndQuery.StartsWith(baseUri.AbsolutePath, StringComparison.Ordinal)
            ? pathAndQuery[baseUri.AbsolutePath.Length..]
            : pathAndQuery.TrimStart('/');
        return new Uri(baseUri, relative).AbsoluteUri;
    }

    [GeneratedRegex("""href=(["'])(?<url>.*?)\1""")]
    private static partial Regex Href();
}

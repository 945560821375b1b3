namespace Portal.Email.Mails;

/// <summary>
/// The data of one kind of message. Each model names the template file that renders it, a title
/// for the admin's template list, and sample data for previews, checks and benchmarks.
/// </summary>
public interface IMail<TSelf> where TSelf : IMail<TSelf>
{
    /// <summary>The template's path in the templates folder, such as "Invitations/Invitation.cshtml".</summary>
    static abstract string Template { get; }

    static abstract string Title { get; }

    static abstract TSelf Sample(MailBrand brand);
}

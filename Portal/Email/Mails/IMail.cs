namespace Portal.Email.Mails;

/// <summary>
/// The data of one kind of message. Each model names the template file that renders it, and sample
/// data for previews, checks and benchmarks; its title for the admin's template list is in
/// <c>MailTemplates.resx</c> under the model's name.
/// </summary>
public interface IMail<TSelf> where TSelf : IMail<TSelf>
{
    /// <summary>The template's path in the templates folder, such as "Invitations/Invitation.cshtml".</summary>
    static abstract string Template { get; }

    static abstract TSelf Sample(MailBrand brand);
}

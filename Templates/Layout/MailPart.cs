namespace Portal.Templates.Layout;

/// <summary>
/// The three parts a template renders. Each part is wrapped in a &lt;mail-part&gt; element that the
/// renderer cuts out; user input inside is HTML-encoded, so it can never fake the wrapper.
/// </summary>
public static class MailPart
{
    public const string Element = "mail-part";
    public const string Subject = "subject";
    public const string Html = "html";
    public const string Text = "text";
}

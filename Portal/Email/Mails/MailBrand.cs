namespace Portal.Email.Mails;

/// <summary>What every message carries about the site that sends it.</summary>
/// <param name="BaseUrl">The configured public base URL; every link in a message starts with it.</param>
public sealed record MailBrand(string SiteName, string SupportEmail, Uri BaseUrl, Uri LogoUrl)
{
    public string Link(string relative) => new Uri(BaseUrl, relative.TrimStart('/')).AbsoluteUri;
}

using System.ComponentModel.DataAnnotations;
using Portal.Email.Mails;

namespace Portal;

/// <summary>The "Portal" configuration section: where data lives and how the site presents itself.</summary>
public sealed class PortalOptions : IValidatableObject
{
    public const string Section = "Portal";

    /// <summary>Database, mail pickup folder and keys; relative paths are under the content root.</summary>
    [Required]
    public string DataDirectory { get; set; } = "App_Data";

    /// <summary>Every absolute link (in mail and on pages) starts here; the request's Host never does.</summary>
    [Required]
    public string PublicBaseUrl { get; set; } = "";

    [Required]
    public string SiteName { get; set; } = "Portal";

    [Required, EmailAddress]
    public string SupportEmail { get; set; } = "";

    /// <summary>Path of the logo under the public base URL.</summary>
    [Required]
    public string LogoPath { get; set; } = "img/logo.png";

    /// <summary>The site's main colour on every page, as #rrggbb.</summary>
    [Required, RegularExpression("^#[0-9a-fA-F]{6}$", ErrorMessage = "must be a colour written #rrggbb, such as #4340d2")]
    public string PrimaryColor { get; set; } = "#4340d2";

    public Uri BaseUri => new(PublicBaseUrl.EndsWith('/') ? PublicBaseUrl : PublicBaseUrl + "/");

    /// <summary>An absolute link to a path of the portal, on the public base URL.</summary>
    public string Link(string relative) => Brand.Link(relative);

    public MailBrand Brand => new(SiteName, SupportEmail, BaseUri, new Uri(BaseUri, LogoPath.TrimStart('/')));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            yield return new ValidationResult(
                $"must be an absolute http or https address without query, such as https://portal.example.org/ (it is {SettingsValidation.Shown(PublicBaseUrl)})",
                [nameof(PublicBaseUrl)]);
        }
    }
}

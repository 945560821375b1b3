using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Data;

namespace Portal.Identity;

/// <summary>Links that confirm an address live 24 hours (SECURITY.md rule 5), longer than a password reset link.</summary>
public sealed class EmailChangeTokenProviderOptions : DataProtectionTokenProviderOptions
{
    public const string ProviderName = "EmailChange";

    public EmailChangeTokenProviderOptions()
    {
        Name = ProviderName;
        TokenLifespan = TimeSpan.FromHours(24);
    }
}

public sealed class EmailChangeTokenProvider(
    IDataProtectionProvider dataProtectionProvider,
    IOptions<EmailChangeTokenProviderOptions> options,
    ILogger<DataProtectorTokenProvider<PortalUser>> logger)
    : DataProtectorTokenProvider<PortalUser>(dataProtectionProvider, options, logger);

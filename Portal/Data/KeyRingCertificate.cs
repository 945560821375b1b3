using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Portal.Data;

/// <summary>
/// <c>DataProtection:CertificatePath</c> and <c>DataProtection:CertificatePassword</c>: a PKCS#12
/// (.pfx) file whose certificate encrypts the Data Protection keys where they are stored, so the
/// database or the data directory alone (a backup, a copied file) cannot forge sign-in cookies.
/// Every node needs the same file. Read before the host exists; a wrong path or password stops the
/// start with its one line.
/// </summary>
public static class KeyRingCertificate
{
    public const string PathKey = "DataProtection:CertificatePath";
    public const string PasswordKey = "DataProtection:CertificatePassword";

    /// <summary>The configured certificate, or null when none is configured (keys are stored unencrypted).</summary>
    public static X509Certificate2? Load(IConfiguration configuration, PortalPaths paths)
    {
        var configured = configuration[PathKey];
        if (string.IsNullOrWhiteSpace(configured))
        {
            return null;
        }
        var path = Path.GetFullPath(configured, paths.ContentRoot);
        if (!File.Exists(path))
        {
            throw new SettingException(PathKey, $"is {SettingsValidation.Shown(configured)}, but there is no file at {path}");
        }
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, configuration[PasswordKey], X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException e)
        {
            throw new SettingException(PasswordKey, $"does not open {path} as a PKCS#12 (.pfx) file ({e.Message.TrimEnd('.')})");
        }
        if (!certificate.HasPrivateKey)
        {
            throw new SettingException(PathKey, $"names {path}, which holds no private key: the keys could be encrypted but never read back");
        }
        return certificate;
    }
}

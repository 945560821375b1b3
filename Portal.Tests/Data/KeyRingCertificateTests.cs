using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Data;

public class KeyRingCertificateTests : IAsyncLifetime
{
    private const string Password = "pfx passphrase";
    private readonly string _certificate = Path.Combine(Path.GetTempPath(), "portal-tests", $"keyring-{Guid.NewGuid():N}.pfx");
    private readonly TestPortal _portal;
    private TestPortal? _restarted;

    public KeyRingCertificateTests() : this(DatabaseProvider.Sqlite)
    {
    }

    protected KeyRingCertificateTests(DatabaseProvider database)
    {
        _portal = TestPortal.WithServices(_ => { }, database);
        _portal.KeepData = true;
        Directory.CreateDirectory(Path.GetDirectoryName(_certificate)!);
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Portal key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        File.WriteAllBytes(_certificate, certificate.Export(X509ContentType.Pfx, Password));
    }

    private static IDataProtector Protector(TestPortal portal) =>
        portal.Get<IDataProtectionProvider>().CreateProtector("key ring test");

    private static List<string> StoredKeys(TestPortal portal) =>
        portal.Get<IOptions<KeyManagementOptions>>().Value.XmlRepository!.GetAllElements().Select(e => e.ToString()).ToList();

    private TestPortal Restart(string? certificatePassword)
    {
        _restarted = TestPortal.Restart(_portal);
        if (certificatePassword is not null)
        {
            _restarted.Settings[KeyRingCertificate.PathKey] = _certificate;
            _restarted.Settings[KeyRingCertificate.PasswordKey] = certificatePassword;
        }
        return _restarted;
    }

    [DatabaseFact]
    public async Task With_a_certificate_the_stored_keys_are_encrypted_and_read_back_after_a_restart()
    {
        _portal.Settings[KeyRingCertificate.PathKey] = _certificate;
        _portal.Settings[KeyRingCertificate.PasswordKey] = Password;
        var token = Protector(_portal).Protect("signed in as ada");

        var stored = Assert.Single(StoredKeys(_portal));
        Assert.Contains("encryptedSecret", stored);
        Assert.DoesNotContain("unencrypted form", stored);
        await _portal.DisposeAsync();

        Assert.Equal("signed in as ada", Protector(Restart(Password)).Unprotect(token));
    }

    [DatabaseFact]
    public async Task Keys_encrypted_with_a_certificate_cannot_be_used_without_it()
    {
        _portal.Settings[KeyRingCertificate.PathKey] = _certificate;
        _portal.Settings[KeyRingCertificate.PasswordKey] = Password;
        var token = Protector(_portal).Protect("signed in as ada");
        await _portal.DisposeAsync();

        Assert.ThrowsAny<CryptographicException>(() => Protector(Restart(null)).Unprotect(token));
    }

    [DatabaseFact]
    public void Without_a_certificate_the_keys_are_stored_as_they_are()
    {
        Protector(_portal).Protect("anything");

        Assert.Contains("unencrypted form", Assert.Single(StoredKeys(_portal)));
    }

    [DatabaseFact]
    public void A_wrong_password_or_a_missing_file_stops_the_start_naming_the_setting()
    {
        var paths = new PortalPaths(Path.GetTempPath(), Path.GetTempPath());
        X509Certificate2? Load(string path, string password) => KeyRingCertificate.Load(new ConfigurationBuilder()
            .AddInMemoryCollection([new(KeyRingCertificate.PathKey, path), new(KeyRingCertificate.PasswordKey, password)])
            .Build(), paths);

        var wrongPassword = Assert.Throws<SettingException>(() => Load(_certificate, "not the passphrase"));
        var noFile = Assert.Throws<SettingException>(() => Load(_certificate + ".gone", Password));

        Assert.StartsWith($"DataProtection:CertificatePassword does not open {_certificate} as a PKCS#12 (.pfx) file", wrongPassword.Message);
        Assert.DoesNotContain("not the passphrase", wrongPassword.Message);
        Assert.StartsWith($"DataProtection:CertificatePath is '{_certificate}.gone', but there is no file at {_certificate}.gone.", noFile.Message);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // The data (directory or database) goes with the last portal that used it.
        _portal.KeepData = _restarted is not null;
        await _portal.DisposeAsync();
        if (_restarted is not null)
        {
            await _restarted.DisposeAsync();
        }
        File.Delete(_certificate);
    }
}

public sealed class KeyRingCertificateOnPostgresTests() : KeyRingCertificateTests(DatabaseProvider.Postgres), IPostgresVariant;

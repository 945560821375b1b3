using System.Security.Cryptography;
using System.Text;
using Portal.Features.Webhooks;

namespace Portal.Tests.Features.Webhooks;

public class WebhookSignatureTests
{
    [Fact]
    public void The_published_Standard_Webhooks_example_signs_to_its_published_signature()
    {
        var signature = WebhookSignature.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, """{"test": 2432232314}""");

        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    [Fact]
    public void A_new_secret_is_whsec_and_32_random_bytes_in_base64_and_signs_what_an_independent_hmac_computes()
    {
        var secret = WebhookSignature.NewSecret();
        const string body = """{"type":"bulk.finished","data":{"job_id":7}}""";

        var signature = WebhookSignature.Sign(secret, "msg_1", 1700000000, body);

        Assert.StartsWith("whsec_", secret);
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        Assert.Equal(32, key.Length);
        Assert.Equal(ExpectedSignature(secret, "msg_1", "1700000000", body), signature);
        Assert.NotEqual(secret, WebhookSignature.NewSecret());
    }

    /// <summary>The signature as the Standard Webhooks specification describes it, computed apart from the portal's code.</summary>
    public static string ExpectedSignature(string secret, string id, string timestamp, string body)
    {
        using var hmac = new HMACSHA256(Convert.FromBase64String(secret.Split('_', 2)[1]));
        return "v1," + Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(id + "." + timestamp + "." + body)));
    }
}

using System.Text.RegularExpressions;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Localization;

/// <summary>
/// No service, nor a component's code, writes a sentence a reader sees: it comes from the resources beside it,
/// so every language has it. A scan of the code's string literals for sentences (a capital, then two
/// words more), leaving out logs, exceptions meant for developers, and audit records; the files whose
/// sentences no reader of a page or a message sees are listed, each with why.
/// </summary>
public sealed partial class UntranslatedServiceTextTests
{
    private static readonly Dictionary<string, string> NotForReaders = new()
    {
        ["Areas/Identity/Pages/Account/ResendEmailConfirmation.cshtml.cs"] = "Identity's own English answer, which IdentityUiTexts shows in the reader's language",
        ["Identity/UntypedEmailSender.cs"] = "an error for the operator, when code uses the mail sender it must not",
        ["Identity/AccountMailer.cs"] = "an error for the operator, when a link is not on the public base URL",
        ["Data/BulkInsert.cs"] = "SQL",
        ["Data/DataSetup.cs"] = "SQL",
        ["Data/SqlitePragmas.cs"] = "SQL",
        ["Data/DatabaseHealthCheck.cs"] = "the health check's answer, read by monitoring",
        ["Email/MailTemplateEngine.cs"] = "an error for the operator who names a template that does not exist",
        ["Email/SmtpDelivery.cs"] = "a message's last error, the mail server's own words, for the admin's outbox",
        ["Email/Mails/Invitations/InvitationMail.cs"] = "sample data for the template previews",
        ["Email/Mails/Registration/RegistrationDecisionMail.cs"] = "sample data for the template previews",
        ["Email/Mails/Confirmations/ChangeRejectedMail.cs"] = "sample data for the template previews",
        ["Features/Invitations/InvitationsSetup.cs"] = "the answer to a mail program's one-click opt-out",
        ["Features/Invitations/Bulk/BulkEndpoints.cs"] = "a refusal, for the audit log",
        ["Features/Api/ApiTokens.cs"] = "a refusal, for the audit log",
        ["Features/Api/InvitationsApi.cs"] = "the summaries of the OpenAPI document, read by programmers",
        ["Features/Api/BulkInvitationsApi.cs"] = "the summaries of the OpenAPI document, read by programmers",
        ["Features/Api/ReviewsApi.cs"] = "the summaries of the OpenAPI document, read by programmers",
        ["Features/Api/UsersApi.cs"] = "the summaries of the OpenAPI document, read by programmers",
        ["Features/Confirmations/ChangeLifecycle.cs"] = "reasons recorded with the values they name, in the records' language",
    };

    private static readonly string Source = Path.Combine(Repository.Root, "Portal");

    [Fact]
    public void No_service_writes_a_sentence_a_reader_sees()
    {
        var found = Repository.SourceFiles(Source, "*.cs").Concat(Repository.SourceFiles(Source, "*.razor"))
            .Select(f => (Name: Path.GetRelativePath(Source, f).Replace(Path.DirectorySeparatorChar, '/'), Path: f))
            .Where(f => !f.Name.StartsWith("Data/Migrations/", StringComparison.Ordinal) && !NotForReaders.ContainsKey(f.Name))
            .SelectMany(f => Code(f.Path).SelectMany(line => Sentences(line.Text).Select(s => $"{f.Name}:{line.Number}: {s}")))
            .ToList();

        Assert.Empty(found);
    }

    [Fact]
    public void Every_listed_file_exists_and_still_has_sentences()
    {
        Assert.All(NotForReaders.Keys, name =>
        {
            var path = Path.Combine(Source, name);
            Assert.True(File.Exists(path), $"{name} is listed but does not exist");
            Assert.True(File.ReadLines(path).Any(l => Sentences(l).Any()), $"{name} is listed but has no sentence left: take it off the list");
        });
    }

    [Theory]
    [InlineData("        return \"The file is empty.\";", "The file is empty.")]
    [InlineData("        problem = $\"Line {line} has no address.\";", "Line {line} has no address.")]
    public void The_scan_finds_sentences_in_code(string line, string sentence)
    {
        Assert.Equal([sentence], Sentences(line));
    }

    [Theory]
    [InlineData("        logger.LogWarning(\"The outbox could not deliver {Id}.\", id);")]
    [InlineData("        throw new InvalidOperationException(\"The template renders no subject.\");")]
    [InlineData("        audit.Record(db, actor, AuditActions.Sent, target, \"Sent to the whole list.\");")]
    [InlineData("        // The batch goes first.")]
    [InlineData("        var key = Texts[\"NoAddress\"];")]
    [InlineData("        var header = \"email\";")]
    public void The_scan_passes_logs_developer_errors_audit_records_comments_and_keys(string line)
    {
        Assert.Empty(Sentences(line));
    }

    /// <summary>The lines of code: all of a class, the <c>@code</c> block of a component (its markup has a scan of its own).</summary>
    private static IEnumerable<(int Number, string Text)> Code(string path)
    {
        var lines = File.ReadLines(path).Select((text, i) => (Number: i + 1, Text: text));
        return path.EndsWith(".razor", StringComparison.Ordinal) ? lines.SkipWhile(l => !l.Text.StartsWith("@code", StringComparison.Ordinal)) : lines;
    }

    private static IEnumerable<string> Sentences(string line)
    {
        var code = line.TrimStart();
        if (code.StartsWith("//", StringComparison.Ordinal) || code.StartsWith('[') || NotForReader().IsMatch(line))
        {
            return [];
        }
        return Literal().Matches(line).Select(m => m.Groups[1].Value).Where(v => Sentence().IsMatch(v));
    }

    [GeneratedRegex(@"\$?@?""((?:[^""\\]|\\.)*)""")]
    private static partial Regex Literal();

    [GeneratedRegex(@"^[A-Z][A-Za-z']*(?: +\S+){2,}")]
    private static partial Regex Sentence();

    [GeneratedRegex(@"\bLog(Information|Warning|Error|Debug|Critical|Trace)\b|new (InvalidOperation|Argument|ArgumentOutOfRange|NotSupported|UnauthorizedAccess|Unreachable)Exception\(|audit\.Record\(|GeneratedRegex|Description\s*=")]
    private static partial Regex NotForReader();
}

using System.Text;
using Portal.Features.Invitations.Bulk;

namespace Portal.Tests.Features.Invitations.Bulk;

/// <summary>Every kind of bad input of SECURITY.md rule 18, each with its message and line.</summary>
public sealed class CsvInvitationFileTests
{
    private static readonly BulkInviteOptions Limits = new() { MaxBytes = 4096, MaxRows = 5, MaxFieldLength = 40 };

    private static async Task<List<CsvInvitationRow>> ReadAsync(byte[] bytes, BulkInviteOptions? limits = null)
    {
        await using var file = await CsvInvitationFile.OpenAsync(new MemoryStream(bytes), limits ?? Limits, default);
        var rows = new List<CsvInvitationRow>();
        await foreach (var row in file.RowsAsync())
        {
            rows.Add(row);
        }
        return rows;
    }

    private static Task<List<CsvInvitationRow>> ReadAsync(string text) => ReadAsync(Encoding.UTF8.GetBytes(text));

    private static async Task<string> RefusedAsync(byte[] bytes, BulkInviteOptions? limits = null) =>
        (await Assert.ThrowsAsync<CsvFileException>(() => ReadAsync(bytes, limits))).Message;

    private static Task<string> RefusedAsync(string text, BulkInviteOptions? limits = null) => RefusedAsync(Encoding.UTF8.GetBytes(text), limits);

    [Fact]
    public async Task Columns_are_matched_in_any_case_and_order_and_the_line_of_each_row_is_kept()
    {
        var rows = await ReadAsync("Name,EMAIL,Expires_Days\r\nAda,ada@example.org,7\r\nGrace, grace@example.org ,\r\n");

        Assert.Equal([(2, "ada@example.org", "Ada", "7"), (3, "grace@example.org", "Grace", null)],
            rows.Select(r => (r.Line, r.Email, r.Name, r.ExpiresDays)));
        Assert.All(rows, r => Assert.Null(r.Problem));
    }

    [Fact]
    public async Task A_byte_order_mark_is_skipped()
    {
        var rows = await ReadAsync([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("email\nada@example.org\n")]);

        Assert.Equal("ada@example.org", Assert.Single(rows).Email);
    }

    [Theory]
    [InlineData("email;name;role\nada@example.org;Ada;Moderator\n")]
    [InlineData("email\tname\trole\nada@example.org\tAda\tModerator\n")]
    [InlineData("email,name,role\nada@example.org,Ada,Moderator\n")]
    public async Task Commas_semicolons_and_tabs_are_detected_from_the_header(string text)
    {
        var row = Assert.Single(await ReadAsync(text));

        Assert.Equal(("ada@example.org", "Ada", "Moderator"), (row.Email, row.Name, row.Role));
    }

    [Fact]
    public async Task Quoted_fields_may_hold_separators_quotes_and_line_breaks_and_lines_are_counted_through_them()
    {
        var rows = await ReadAsync("email,message\nada@example.org,\"Hello, Ada\nsee you \"\"soon\"\"\"\ngrace@example.org,hi\n");

        Assert.Equal("Hello, Ada\nsee you \"soon\"", rows[0].Message);
        Assert.Equal((2, 4), (rows[0].Line, rows[1].Line));
    }

    [Fact]
    public async Task Invalid_utf8_is_refused_naming_the_line()
    {
        var message = await RefusedAsync([.. Encoding.UTF8.GetBytes("email,name\nada@example.org,Ada\nbob@example.org,B"), 0xC3, 0x28, .. "ob\n"u8]);

        Assert.Equal("Line 3 is not valid UTF-8. Save the file as UTF-8 (\"CSV UTF-8\" in a spreadsheet) and upload it again.", message);
    }

    [Fact]
    public async Task An_unterminated_quote_refuses_the_file_at_its_line()
    {
        var message = await RefusedAsync("email,message\nada@example.org,ok\nbob@example.org,\"never closed\ncarol@example.org,hi\n");

        Assert.StartsWith("Line 3 opens a quote that is never closed", message);
    }

    [Fact]
    public async Task A_stray_quote_makes_that_row_invalid_and_the_rest_are_read()
    {
        var rows = await ReadAsync("email,message\nada@example.org,he said \"hi\"\ngrace@example.org,ok\n");

        Assert.Equal(2, rows[0].Line);
        Assert.Contains("A quote stands inside a field", rows[0].Problem);
        Assert.Equal(("grace@example.org", null), (rows[1].Email, rows[1].Problem));
    }

    [Fact]
    public async Task Rows_with_missing_or_extra_fields_are_invalid_with_their_line()
    {
        var rows = await ReadAsync("email,name,role\nada@example.org\ngrace@example.org,Grace,,extra\nalan@example.org,Alan,\n");

        Assert.Equal("Line 2 has 1 field; the header has 3.", rows[0].Problem);
        Assert.Equal("Line 3 has 4 fields; the header has 3.", rows[1].Problem);
        Assert.Null(rows[2].Problem);
    }

    [Fact]
    public async Task A_missing_email_column_is_refused_naming_the_columns_found()
    {
        var message = await RefusedAsync("mail,name\nada@example.org,Ada\n");

        Assert.StartsWith("The header has no \"email\" column (it has: \"mail\", \"name\")", message);
    }

    [Fact]
    public async Task Unknown_columns_are_reported_and_ignored()
    {
        await using var file = await CsvInvitationFile.OpenAsync(new MemoryStream("email,department\nada@example.org,Maths\n"u8.ToArray()), Limits, default);

        Assert.Equal(["department"], file.IgnoredColumns);
    }

    [Fact]
    public async Task An_empty_file_and_a_header_alone_are_refused()
    {
        Assert.StartsWith("The file is empty.", await RefusedAsync(""));
        Assert.Equal("The file has a header but no rows.", await RefusedAsync("email,name\n"));
    }

    [Fact]
    public async Task Empty_lines_are_skipped_but_count_as_lines()
    {
        var rows = await ReadAsync("email\nada@example.org\n\n\ngrace@example.org\n");

        Assert.Equal([2, 5], rows.Select(r => r.Line));
    }

    [Fact]
    public async Task An_empty_address_and_an_overlong_field_are_row_problems()
    {
        var rows = await ReadAsync($"email,name\n,Nobody\nada@example.org,{new string('x', 41)}\n");

        Assert.Equal("The email field is empty.", rows[0].Problem);
        Assert.Equal("The name field is longer than 40 characters.", rows[1].Problem);
    }

    [Fact]
    public async Task Too_many_rows_and_too_many_bytes_are_refused_naming_the_limit()
    {
        var sixRows = "email\n" + string.Concat(Enumerable.Range(0, 6).Select(i => $"a{i}@example.org\n"));
        var big = "email\n" + string.Concat(Enumerable.Repeat("someone@example.org\n", 300));

        Assert.StartsWith("The file has more than 5 rows", await RefusedAsync(sixRows));
        Assert.StartsWith("The file is larger than 2 KB", await RefusedAsync(big, new BulkInviteOptions { MaxBytes = 2048, MaxRows = 1000, MaxFieldLength = 40 }));
    }

    [Fact]
    public async Task Another_separator_is_refused()
    {
        Assert.StartsWith("The columns are separated by '|'", await RefusedAsync("email|name\nada@example.org|Ada\n"));
    }
}

using System.Runtime.CompilerServices;
using System.Text.Unicode;
using CsvHelper;
using Portal.Localization;

namespace Portal.Features.Invitations.Bulk;

/// <summary>The file cannot be used at all; the message says why, and where.</summary>
public sealed class CsvFileException(string message) : Exception(message);

/// <summary>One data row as written, or the reason it cannot be read.</summary>
/// <param name="Line">The line of the file the row starts on; the header is line 1.</param>
public sealed record CsvInvitationRow(int Line, string Email, string? Name, string? Role, string? Message, string? ExpiresDays, string? Language, string? Problem);

/// <summary>
/// Reads an uploaded file of addresses as it streams in (it is never held in memory whole): UTF-8
/// with or without a byte order mark, columns separated by commas, semicolons or tabs (detected),
/// RFC 4180 quoting with line breaks inside quotes. The header names the columns in any case:
/// <c>email</c> (required), <c>name</c>, <c>role</c>, <c>message</c>, <c>expires_days</c>, <c>language</c>.
/// Problems with one row are reported on that row; problems with the file throw <see cref="CsvFileException"/>.
/// </summary>
public sealed class CsvInvitationFile : IAsyncDisposable
{
    public const string EmailColumn = "email";
    public static readonly IReadOnlyList<string> Columns = [EmailColumn, "name", "role", "message", "expires_days", "language"];

    private static readonly StaticTexts Texts = new(typeof(CsvInvitationFile));

    /// <summary>The columns a file may have besides the address, for the messages that name them.</summary>
    private static string Optional => string.Join(", ", Columns.Skip(1));

    private readonly CsvReader _reader;
    private readonly Queue<CsvMalformedRecord> _malformed;
    private readonly BulkInviteOptions _limits;
    private readonly int[] _columns;

    private CsvInvitationFile(CsvReader reader, Queue<CsvMalformedRecord> malformed, BulkInviteOptions limits, int[] columns, IReadOnlyList<string> ignored)
    {
        _reader = reader;
        _malformed = malformed;
        _limits = limits;
        _columns = columns;
        IgnoredColumns = ignored;
    }

    /// <summary>Why a file over the size limit is not read.</summary>
    public static string TooLarge(long maxBytes) => Texts.Format("TooLarge", BulkInviteOptions.FormatSize(maxBytes));

    /// <summary>Header names that are not columns the portal reads; they are left alone.</summary>
    public IReadOnlyList<string> IgnoredColumns { get; }

    /// <summary>Opens the file and checks its header.</summary>
    public static async Task<CsvInvitationFile> OpenAsync(Stream content, BulkInviteOptions limits, CancellationToken cancellationToken)
    {
        var malformed = new Queue<CsvMalformedRecord>();
        var reader = CsvReader.Create(new LimitedStream(content, limits.MaxBytes), new CsvReaderOptions
        {
            HasHeader = true,
            AllowLineBreaksInQuotes = true,
            TrackLineNumbers = true,
            SkipEmptyLines = true,
            TrimWhitespace = true,
            MalformedData = CsvMalformedDataHandling.Skip,
            OnMalformedRecord = malformed.Enqueue,
            // Five fields at the limit, at four bytes a character, with room for quoting.
            MaxRecordSize = Math.Max(64 * 1024, limits.MaxFieldLength * 4 * 8),
        }, leaveOpen: true);
        try
        {
            await ReadSafelyAsync(() => reader.ReadHeaderAsync(cancellationToken).AsTask());
            var headers = reader.Headers;
            if (headers.Count == 0 || headers.All(string.IsNullOrWhiteSpace))
            {
                throw new CsvFileException(Texts.Format("Empty", Optional));
            }
            if (headers.Any(h => h.Contains('\uFFFD', StringComparison.Ordinal)))
            {
                throw new CsvFileException(Texts.Format("NotUtf8", 1));
            }
            if (reader.Separator is not (',' or ';' or '\t'))
            {
                throw new CsvFileException(Texts.Format("Separator", reader.Separator));
            }
            var columns = Columns.Select(c => reader.TryGetFieldIndex(c, out var index) ? index : -1).ToArray();
            if (columns[0] < 0)
            {
                throw new CsvFileException(Texts.Format("NoEmail", string.Join(", ", headers.Select(h => $"\"{h}\"")), Optional));
            }
            var ignored = headers.Where(h => !Columns.Contains(h.Trim(), StringComparer.OrdinalIgnoreCase)).ToList();
            return new CsvInvitationFile(reader, malformed, limits, columns, ignored);
        }
        catch
        {
            await reader.DisposeAsync();
            throw;
        }
    }

    public async IAsyncEnumerable<CsvInvitationRow> RowsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var expectedFields = _reader.Headers.Count;
        var rows = 0;
        while (true)
        {
            var more = await ReadSafelyAsync(() => _reader.ReadAsync(cancellationToken).AsTask());
            // Rows skipped for malformed quoting come before the record the reader stopped on.
            while (_malformed.TryDequeue(out var bad))
            {
                CountRow(++rows);
                yield return Malformed(bad);
            }
            if (!more)
            {
                break;
            }
            var line = (int)_reader.LineNumber;
            if (!Utf8.IsValid(_reader.RawRecord))
            {
                throw new CsvFileException(Texts.Format("NotUtf8", line));
            }
            CountRow(++rows);
            yield return Row(line, expectedFields);
        }
        if (rows == 0)
        {
            throw new CsvFileException(Texts["NoRows"]);
        }
    }

    private CsvInvitationRow Row(int line, int expectedFields)
    {
        var values = _columns.Select(i => i >= 0 && i < _reader.FieldCount ? _reader.GetString(i) : "").ToArray();
        string? problem = null;
        if (_reader.FieldCount != expectedFields)
        {
            problem = Texts.Format(Plural.Key("Fields", _reader.FieldCount), line, _reader.FieldCount, expectedFields);
        }
        else if (Enumerable.Range(0, Columns.Count).FirstOrDefault(i => values[i].Length > _limits.MaxFieldLength, -1) is var tooLong and >= 0)
        {
            problem = Texts.Format("TooLong", Columns[tooLong], _limits.MaxFieldLength);
        }
        else if (values[0].Length == 0)
        {
            problem = Texts["NoAddress"];
        }
        return new CsvInvitationRow(line, Clip(values[0]), Clip(values[1]).NullIfEmpty(), Clip(values[2]).NullIfEmpty(),
            Clip(values[3]).NullIfEmpty(), values[4].NullIfEmpty(), values[5].Trim().NullIfEmpty(), problem);
    }

    private CsvInvitationRow Malformed(CsvMalformedRecord bad)
    {
        if (bad.Reason == CsvMalformedReason.UnterminatedQuote)
        {
            throw new CsvFileException(Texts.Format("OpenQuote", bad.LineNumber));
        }
        return new CsvInvitationRow((int)bad.LineNumber, Clip(bad.RawRecord.ReplaceLineEndings(" ")), null, null, null, null, null,
            bad.Reason switch
            {
                CsvMalformedReason.StrayQuote => Texts["StrayQuote"],
                CsvMalformedReason.TextAfterClosingQuote => Texts["TextAfterQuote"],
                _ => Texts.Format("Malformed", bad.Reason),
            });
    }

    private void CountRow(int rows)
    {
        if (rows > _limits.MaxRows)
        {
            throw new CsvFileException(Texts.Format("TooManyRows", _limits.MaxRows));
        }
    }

    private string Clip(string value) => value.Length <= _limits.MaxFieldLength ? value : value[.._limits.MaxFieldLength];

    private static async Task<T> ReadSafelyAsync<T>(Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (CsvFormatException ex)
        {
            throw new CsvFileException(ex.LineNumber > 0 ? Texts.Format("AtLine", ex.LineNumber, ex.Message) : ex.Message);
        }
    }

    private static Task ReadSafelyAsync(Func<Task> read) => ReadSafelyAsync(async () =>
    {
        await read();
        return true;
    });

    public ValueTask DisposeAsync() => _reader.DisposeAsync();

    /// <summary>Stops reading past the size limit, whatever the stream claims its length is.</summary>
    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _read;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Count(int read)
        {
            _read += read;
            return _read <= limit
                ? read
                : throw new CsvFileException(TooLarge(limit));
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

internal static class StringExtensions
{
    public static string? NullIfEmpty(this string value) => value.Length == 0 ? null : value;
}

using System.Text;

namespace Portal.Identity;

/// <summary>
/// The writing system of a character, for telling look-alike addresses apart: "аdmin" (a Cyrillic
/// а among Latin letters) reads as "admin" but is another address. A name written in one script is
/// fine in any script; what is refused is a mix, as Unicode TR 39's "highly restrictive" level
/// says: one script, plus Common characters (digits, punctuation) and combining marks, with Han
/// allowed beside Hiragana and Katakana (Japanese), Bopomofo (Chinese) or Hangul (Korean).
/// The table covers the scripts of the letters the portal accepts; a letter outside it counts as
/// a script of its own, so it cannot hide among others either.
/// </summary>
public static class Scripts
{
    private const string Common = "Common";

    /// <summary>Combining marks: they take the script of the letter they sit on.</summary>
    private const string Inherited = "Inherited";

    private const string Han = "Han";

    private static readonly (int First, int Last, string Script)[] Ranges =
    [
        (0x0030, 0x0039, Common), (0x0041, 0x005A, "Latin"), (0x0061, 0x007A, "Latin"),
        (0x00AA, 0x00AA, "Latin"), (0x00BA, 0x00BA, "Latin"), (0x00C0, 0x024F, "Latin"), (0x0250, 0x02AF, "Latin"),
        (0x0300, 0x036F, Inherited), (0x0370, 0x03FF, "Greek"), (0x0400, 0x052F, "Cyrillic"),
        (0x0530, 0x058F, "Armenian"), (0x0590, 0x05FF, "Hebrew"), (0x0600, 0x06FF, "Arabic"),
        (0x0750, 0x077F, "Arabic"), (0x08A0, 0x08FF, "Arabic"), (0x0900, 0x097F, "Devanagari"),
        (0x0980, 0x09FF, "Bengali"), (0x0A00, 0x0A7F, "Gurmukhi"), (0x0A80, 0x0AFF, "Gujarati"),
        (0x0B80, 0x0BFF, "Tamil"), (0x0C00, 0x0C7F, "Telugu"), (0x0C80, 0x0CFF, "Kannada"),
        (0x0D00, 0x0D7F, "Malayalam"), (0x0E00, 0x0E7F, "Thai"), (0x0E80, 0x0EFF, "Lao"),
        (0x10A0, 0x10FF, "Georgian"), (0x1100, 0x11FF, "Hangul"), (0x1200, 0x139F, "Ethiopic"),
        (0x1AB0, 0x1AFF, Inherited), (0x1C80, 0x1C8F, "Cyrillic"), (0x1DC0, 0x1DFF, Inherited),
        (0x1E00, 0x1EFF, "Latin"), (0x1F00, 0x1FFF, "Greek"), (0x20D0, 0x20FF, Inherited),
        (0x2C60, 0x2C7F, "Latin"), (0x2DE0, 0x2DFF, "Cyrillic"), (0x3040, 0x309F, "Hiragana"),
        (0x30A0, 0x30FF, "Katakana"), (0x3100, 0x312F, "Bopomofo"), (0x3130, 0x318F, "Hangul"),
        (0x31F0, 0x31FF, "Katakana"), (0x3400, 0x4DBF, Han), (0x4E00, 0x9FFF, Han),
        (0xA640, 0xA69F, "Cyrillic"), (0xA720, 0xA7FF, "Latin"), (0xAB30, 0xAB6F, "Latin"),
        (0xAC00, 0xD7AF, "Hangul"), (0xF900, 0xFAFF, Han), (0xFB1D, 0xFB4F, "Hebrew"),
        (0xFB50, 0xFDFF, "Arabic"), (0xFE20, 0xFE2F, Inherited), (0xFE70, 0xFEFF, "Arabic"),
        (0xFF10, 0xFF19, Common), (0xFF21, 0xFF3A, "Latin"), (0xFF41, 0xFF5A, "Latin"),
        (0xFF66, 0xFF9F, "Katakana"), (0x20000, 0x3134F, Han),
    ];

    /// <summary>Scripts that may stand beside Han in one name.</summary>
    private static readonly string[][] WithHan = [["Hiragana", "Katakana"], ["Bopomofo"], ["Hangul"]];

    /// <summary>The script of <paramref name="rune"/>: a name from the table, Common, Inherited, or its own code point's block.</summary>
    private static string Of(Rune rune)
    {
        if (rune.IsAscii && !Rune.IsLetterOrDigit(rune))
        {
            return Common;
        }
        foreach (var (first, last, script) in Ranges)
        {
            if (rune.Value >= first && rune.Value <= last)
            {
                return script;
            }
        }
        return Rune.IsLetter(rune) ? $"U+{rune.Value & ~0x7F:X4}" : Common;
    }

    /// <summary>
    /// The scripts <paramref name="text"/> mixes, in order of appearance, when they are more than
    /// one script may have; an empty list when it is written in one (Common characters and marks aside).
    /// </summary>
    public static IReadOnlyList<string> Mixed(string text)
    {
        var scripts = text.EnumerateRunes().Select(Of).Where(s => s is not (Common or Inherited)).Distinct().ToList();
        if (scripts.Count <= 1)
        {
            return [];
        }
        var others = scripts.Where(s => s != Han).ToList();
        return scripts.Contains(Han) && WithHan.Any(allowed => others.All(allowed.Contains)) ? [] : scripts;
    }
}

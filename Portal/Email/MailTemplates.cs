using System.Reflection;
using Portal.Email.Mails;
using Portal.Localization;

namespace Portal.Email;

/// <summary>One kind of message: its template file, how to make sample data for it, and its title in the reader's language.</summary>
public sealed record MailTemplateInfo(string Name, string Template, Func<MailBrand, object> Sample)
{
    private static readonly StaticTexts Texts = new(typeof(MailTemplates));

    public string Title => Texts[Name];
}

/// <summary>Every kind of message, found through the models (<see cref="IMail{TSelf}"/>) that name their templates.</summary>
public static class MailTemplates
{
    public static IReadOnlyList<MailTemplateInfo> All { get; } = typeof(IMail<>).Assembly.GetTypes()
        .Where(t => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IMail<>)))
        .Select(t => (MailTemplateInfo)typeof(MailTemplates).GetMethod(nameof(Describe), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(t).Invoke(null, null)!)
        .OrderBy(t => t.Template, StringComparer.Ordinal)
        .ToList();

    private static MailTemplateInfo Describe<TMail>() where TMail : IMail<TMail> =>
        new(typeof(TMail).Name, TMail.Template, brand => TMail.Sample(brand));
}

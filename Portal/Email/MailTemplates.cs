using System.Reflection;
using Portal.Email.Mails;

namespace Portal.Email;

/// <summary>One kind of message: its title, its template file, and how to make sample data for it.</summary>
public sealed record MailTemplateInfo(string Name, string Title, string Template, Func<MailBrand, object> Sample);

/// <summary>Every kind of message, found through the models (<see cref="IMail{TSelf}"/>) that name their templates.</summary>
public static class MailTemplates
{
    public static IReadOnlyList<MailTemplateInfo> All { get; } = typeof(IMail<>).Assembly.GetTypes()
        .Where(t => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IMail<>)))
        .Select(t => (MailTemplateInfo)typeof(MailTemplates).GetMethod(nameof(Describe), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(t).Invoke(null, null)!)
        .OrderBy(t => t.Title)
        .ToList();

    private static MailTemplateInfo Describe<TMail>() where TMail : IMail<TMail> =>
        new(typeof(TMail).Name, TMail.Title, TMail.Template, brand => TMail.Sample(brand));
}

namespace Portal.Templates;

/// <summary>
/// Marks a property of a mail model that changes from one recipient to the next and that the
/// template only prints (the address, a link, a name): nothing in the template depends on its
/// content. Messages that differ only in such properties are rendered once and filled in, which is
/// what makes a run of thousands of invitations cheap. An empty or blank value counts as part of
/// the message's shape, so a template may still test for one.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MailSlotAttribute : Attribute;

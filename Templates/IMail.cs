namespace Portal.Templates;

/// <summary>
/// The data of one kind of message. Each model names the component that renders it, a title for
/// the admin's template list, and sample data for previews and benchmarks.
/// </summary>
public interface IMail<TSelf> where TSelf : IMail<TSelf>
{
    static abstract Type Template { get; }

    static abstract string Title { get; }

    static abstract TSelf Sample(MailBrand brand);
}

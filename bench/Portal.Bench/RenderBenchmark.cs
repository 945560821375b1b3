using System.Diagnostics;
using Microsoft.Extensions.Options;
using Portal.Email;

namespace Portal.Bench;

/// <summary>
/// The mail templates with RazorLight: the first compilation of every template, the process's
/// memory once they are compiled, then messages rendered per second, one at a time on one thread,
/// for every template with its sample data: the work the outbox does for each message it queues.
/// </summary>
public static class RenderBenchmark
{
    private const int Rounds = 5;

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args is ["--seconds", var s] ? double.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 3;
        var portal = new PortalOptions { PublicBaseUrl = "https://portal.example.org/", SupportEmail = "support@example.org" };
        using var templates = new MailTemplateEngine(Path.Combine(AppContext.BaseDirectory, "Templates"));
        var renderer = new MailRenderer(templates, Options.Create(portal), Options.Create(new Portal.Localization.LanguageOptions()));

        var before = Megabytes(Process.GetCurrentProcess().WorkingSet64);
        var compile = Stopwatch.StartNew();
        var errors = (await templates.CompileAsync(CancellationToken.None)).Errors;
        compile.Stop();
        foreach (var template in MailTemplates.All)
        {
            await renderer.RenderAsync(template.Template, template.Sample(portal.Brand));
        }
        GC.Collect();
        var after = Megabytes(Process.GetCurrentProcess().WorkingSet64);
        Console.WriteLine($"First compilation of {templates.Files().Count()} templates: {compile.Elapsed.TotalSeconds:0.00} s ({errors.Count} errors).");
        Console.WriteLine($"Working set: {before:0} MB before, {after:0} MB with every template compiled and rendered once.");

        Console.WriteLine($"Rendering on one thread, {Rounds} rounds of {seconds:0.#} s per template, median round shown.");
        Console.WriteLine($"{"template",-56} {"messages/s",12} {"µs/message",12} {"KB allocated/message",22} {"HTML bytes",11}");
        foreach (var template in MailTemplates.All)
        {
            var sample = template.Sample(portal.Brand);
            var html = (await renderer.RenderAsync(template.Template, sample)).Html.Length;
            for (var i = 0; i < 2_000; i++)
            {
                await renderer.RenderAsync(template.Template, sample); // warm-up
            }

            var rates = new List<double>();
            var allocated = new List<double>();
            for (var round = 0; round < Rounds; round++)
            {
                var count = 0;
                var totalBefore = GC.GetTotalAllocatedBytes(precise: false);
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed.TotalSeconds < seconds)
                {
                    await renderer.RenderAsync(template.Template, sample);
                    count++;
                }
                clock.Stop();
                rates.Add(count / clock.Elapsed.TotalSeconds);
                allocated.Add((GC.GetTotalAllocatedBytes(precise: false) - totalBefore) / 1024.0 / count);
            }
            var rate = Median(rates);
            Console.WriteLine($"{template.Title,-56} {rate,12:N0} {1_000_000 / rate,12:N1} {Median(allocated),22:N1} {html,11:N0}");
        }
        Console.WriteLine($"Working set at the end: {Megabytes(Process.GetCurrentProcess().WorkingSet64):0} MB.");
        return 0;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static double Megabytes(long bytes) => bytes / 1024.0 / 1024.0;
}

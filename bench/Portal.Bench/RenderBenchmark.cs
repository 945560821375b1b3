using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Email;

namespace Portal.Bench;

/// <summary>
/// Messages rendered per second, one at a time on one thread, for every template with its sample
/// data: the work the outbox does for each message it queues.
/// </summary>
public static class RenderBenchmark
{
    private const int Rounds = 5;

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args is ["--seconds", var s] ? double.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 3;
        var portal = new PortalOptions { PublicBaseUrl = "https://portal.example.org/", SupportEmail = "support@example.org" };
        var services = new ServiceCollection()
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(Options.Create(portal))
            .AddSingleton<MailRenderer>()
            .BuildServiceProvider();
        var renderer = services.GetRequiredService<MailRenderer>();

        Console.WriteLine($"Rendering on one thread, {Rounds} rounds of {seconds:0.#} s per template, median round shown.");
        Console.WriteLine($"{"template",-28} {"messages/s",12} {"µs/message",12} {"KB allocated/message",22} {"HTML bytes",11}");
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
            Console.WriteLine($"{template.Title,-28} {rate,12:N0} {1_000_000 / rate,12:N1} {Median(allocated),22:N1} {html,11:N0}");
        }
        return 0;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}

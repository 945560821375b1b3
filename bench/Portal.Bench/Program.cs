using Portal.Bench;

return args.FirstOrDefault() switch
{
    "render" => await RenderBenchmark.RunAsync(args.Skip(1).ToArray()),
    "bulk" => await BulkBenchmark.RunAsync(args.Skip(1).ToArray()),
    "load" => await LoadTest.RunAsync(args.Skip(1).ToArray()),
    "smtp" => await SmtpBenchmark.RunAsync(args.Skip(1).ToArray()),
    "grids" => await GridBenchmark.RunAsync(args.Skip(1).ToArray()),
    "peers" => await PeersBenchmark.RunAsync(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Portal.Bench render [--seconds N] | bulk [--rows N] | load [--rows N] [--visitors N] [--during-run] | smtp [--messages N] [--delay-ms N] [--connections N] | grids [--rows N] | peers [--n N] [--hashed-n N] [--hash-samples N] [--phases a,b]");
    return 2;
}

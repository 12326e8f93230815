using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

/// <summary>
/// The cost of API-key authentication on ingest: the bench itself (this program without --auth) run as a child against
/// the build without accounts and against this one with a key, alternating so both see the same machine load.
/// </summary>
internal static partial class AuthCompare
{
    public static async Task RunAsync(string offDll, string onDll, int reports)
    {
        var key = "wk_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        var results = new Dictionary<(string Build, int Batch), List<(double Rate, double P50, double P99)>>();
        for (var round = 1; round <= 2; round++)
        foreach (var (build, dll) in new[] { ("off", offDll), ("on", onDll) })
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true };
            info.ArgumentList.Add(typeof(AuthCompare).Assembly.Location);
            info.ArgumentList.Add(dll);
            info.ArgumentList.Add(reports.ToString());
            if (build == "on")
            {
                info.Environment["BENCH_API_KEY"] = key;
                info.Environment["BENCH_ARGS"] = $"--Auth:ProvisionedKeys:0:Name=bench --Auth:ProvisionedKeys:0:Sha256={hash} --Auth:ProvisionedKeys:0:Kinds:0=report";
            }
            using var child = Process.Start(info)!;
            var output = await child.StandardOutput.ReadToEndAsync();
            await child.WaitForExitAsync();
            if (child.ExitCode != 0) throw new InvalidOperationException($"bench ({build}) failed:\n{output}");
            foreach (Match m in Row().Matches(output))
            {
                var batch = int.Parse(m.Groups["batch"].Value);
                results.TryAdd((build, batch), []);
                results[(build, batch)].Add((Parse(m.Groups["rate"].Value), Parse(m.Groups["p50"].Value), Parse(m.Groups["p99"].Value)));
            }
            Console.Error.WriteLine($"round {round}, auth {build}: done");
        }

        Console.WriteLine($"Ingest with API-key authentication off and on: {Environment.ProcessorCount} cores, {reports:N0} reports per run (batch 100), two rounds alternating, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine();
        Console.WriteLine("| batch | auth | reports/s round 1 | round 2 | mean | p50 ms | p99 ms | on vs off |");
        Console.WriteLine("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var batch in new[] { 1, 100 })
        {
            var off = results[("off", batch)].Average(r => r.Rate);
            foreach (var build in new[] { "off", "on" })
            {
                var runs = results[(build, batch)];
                var mean = runs.Average(r => r.Rate);
                Console.WriteLine($"| {batch} | {build} | {runs[0].Rate:N0} | {runs[1].Rate:N0} | {mean:N0} | {runs.Average(r => r.P50):F2} | {runs.Average(r => r.P99):F2} | {(build == "on" ? $"{mean / off - 1:+0.0%;-0.0%}" : "")} |");
            }
        }
    }

    private static double Parse(string text) => double.Parse(text.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\| HTTP POST /api/v1/reports \(\d+ clients\) \| (?<batch>\d+) \| [\d,]+ \| (?<rate>[\d,]+) \| (?<p50>[\d.]+) \| (?<p99>[\d.]+) \|", RegexOptions.Multiline)]
    private static partial Regex Row();
}

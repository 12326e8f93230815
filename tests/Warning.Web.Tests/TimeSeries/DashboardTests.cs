using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;
using Warning.Silo.TimeSeries;

namespace Warning.Web.Tests.TimeSeries;

/// <summary>InfluxDB with weeks of simulator history (and the same weeks a year ago), shared by the dashboard tests.</summary>
public sealed class DashboardHistory : IAsyncLifetime
{
    public InfluxServer Server { get; } = new();
    public InfluxClient Client { get; private set; } = null!;
    public DateTimeOffset Now { get; } = DateTimeOffset.UtcNow;
    public SimulatedHistory.Loaded Recent { get; private set; } = null!;
    public SimulatedHistory.Loaded YearAgo { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Server.InitializeAsync();
        // Raw points are kept long enough for last year's history to be written, then rolled up like the service's CQs do.
        var options = Server.Options("dashboards", o => { o.RawRetention = TimeSpan.FromDays(800); o.BatchSize = 5000; o.RequestTimeout = TimeSpan.FromMinutes(2); o.QueueCapacity = 1_000_000; });
        var (client, schema, writer) = Server.Create(options);
        Client = client;
        await writer.StartAsync(CancellationToken.None);
        var city = CityGenerator.Generate(CityShape.Small, 7);
        Recent = SimulatedHistory.Write(city, writer, Now.AddDays(-70), Now, seed: 11, sequenceBase: 0);
        YearAgo = SimulatedHistory.Write(city, writer, Now.AddDays(-405), Now.AddDays(-360), seed: 12, sequenceBase: 50_000_000);
        Assert.True(await writer.FlushAsync(TimeSpan.FromMinutes(2)), $"history written: {writer.Stats}");
        Assert.Equal(0, writer.Stats.Rejected);
        await writer.StopAsync(CancellationToken.None);
        await schema.BackfillAsync(Now.AddDays(-410), Now.AddHours(1));
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>
/// Every panel query of every dashboard, with Grafana's variables substituted, runs against the loaded InfluxDB and
/// returns data; the JSON parses and names the provisioned data source.
/// </summary>
public sealed class DashboardTests(DashboardHistory history) : IClassFixture<DashboardHistory>
{
    private const string DataSourceUid = "warning-influxdb";

    public static string GrafanaDirectory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (Directory.Exists(Path.Combine(dir.FullName, "grafana", "dashboards"))) return Path.Combine(dir.FullName, "grafana");
            throw new DirectoryNotFoundException("grafana/ not found above " + AppContext.BaseDirectory);
        }
    }

    public static TheoryData<string> Dashboards()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(GrafanaDirectory, "dashboards"), "*.json").Order()) data.Add(Path.GetFileName(file));
        return data;
    }

    [Fact]
    public void Provisioning_names_the_data_source_and_the_five_dashboards_have_fixed_unique_uids()
    {
        var datasource = File.ReadAllText(Path.Combine(GrafanaDirectory, "provisioning", "datasources", "influxdb.yaml"));
        Assert.Contains($"uid: {DataSourceUid}", datasource);
        Assert.Contains("type: influxdb", datasource);
        Assert.Contains("dbName: warning", datasource);
        Assert.Contains("grafana/dashboards", File.ReadAllText(Path.Combine(GrafanaDirectory, "provisioning", "dashboards", "warning.yaml")));
        var uids = Directory.EnumerateFiles(Path.Combine(GrafanaDirectory, "dashboards"), "*.json")
            .Select(f => Load(Path.GetFileName(f))["uid"]!.GetValue<string>()).ToList();
        Assert.Equal(["warning-alerts", "warning-meeting-review", "warning-screening", "warning-situation", "warning-trends"], uids.Order().ToList());
    }

    [Fact]
    public void History_was_loaded()
    {
        Assert.True(history.Recent.Reports > 1000, $"{history.Recent}");
        Assert.True(history.Recent.Alerts > 100, $"{history.Recent}");
        Assert.True(history.YearAgo.Reports > 500, $"{history.YearAgo}");
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public async Task Every_panel_query_returns_series(string file)
    {
        var dashboard = Load(file);
        Assert.True(dashboard["schemaVersion"]!.GetValue<int>() >= 36);
        Assert.StartsWith("warning-", dashboard["uid"]!.GetValue<string>());
        var range = ParseRange(dashboard["time"]!["from"]!.GetValue<string>());

        // Variables: each query runs (later ones see earlier choices) and offers values; "All" is Grafana's allValue.
        var variables = dashboard["templating"]!["list"]!.AsArray();
        Assert.Equal(["county", "township", "category"], variables.Select(v => v!["name"]!.GetValue<string>()).ToArray());
        var all = new Dictionary<string, string>();
        var first = new Dictionary<string, string>();
        foreach (var variable in variables)
        {
            Assert.Equal(DataSourceUid, variable!["datasource"]!["uid"]!.GetValue<string>());
            Assert.Equal(".*", variable["allValue"]!.GetValue<string>());
            var name = variable["name"]!.GetValue<string>();
            var series = await history.Client.QueryAsync(Substitute(variable["query"]!.GetValue<string>(), first, range, TimeSpan.Zero));
            var values = series.SelectMany(s => s.Values).Select(v => v[1].GetString()!).ToList();
            Assert.True(values.Count > 0, $"{file}: variable {name} offers no values");
            all[name] = ".*";
            // One concrete county (the busiest case: the first), everything below it left at All.
            first[name] = name == "county" ? Regex.Escape(values[0]) : ".*";
        }

        var panels = dashboard["panels"]!.AsArray();
        Assert.NotEmpty(panels);
        var queries = 0;
        foreach (var panel in panels)
        {
            var title = panel!["title"]!.GetValue<string>();
            Assert.Equal("influxdb", panel["datasource"]!["type"]!.GetValue<string>());
            Assert.Equal(DataSourceUid, panel["datasource"]!["uid"]!.GetValue<string>());
            var shift = panel["timeShift"] is { } s ? ParseDuration(s.GetValue<string>()) : TimeSpan.Zero;
            foreach (var target in panel["targets"]!.AsArray())
            {
                Assert.Equal(DataSourceUid, target!["datasource"]!["uid"]!.GetValue<string>());
                Assert.True(target["rawQuery"]!.GetValue<bool>(), $"{file}/{title}: raw InfluxQL");
                var query = target["query"]!.GetValue<string>();
                foreach (var choice in new[] { all, first })
                {
                    var text = Substitute(query, choice, range, shift);
                    Assert.DoesNotContain("$", text.Replace("$/", "/").Replace("^.*$", ""));
                    IReadOnlyList<InfluxSeries> series;
                    try
                    {
                        series = await history.Client.QueryAsync(text);
                    }
                    catch (InfluxQueryException ex)
                    {
                        throw new Xunit.Sdk.XunitException($"{file}/{title}: {ex.Message}\n{text}");
                    }
                    Assert.True(series.Count > 0, $"{file}/{title} ({(choice == all ? "all" : "one county")}) returned no series:\n{text}");
                    Assert.True(series.Any(x => x.Values.Any(row => row.Skip(1).Any(v => v.ValueKind == System.Text.Json.JsonValueKind.Number && v.GetDouble() != 0))),
                        $"{file}/{title} returned only nulls or zeros:\n{text}");
                    queries++;
                }
            }
        }
        Assert.True(queries >= panels.Count * 2);
    }

    private static JsonNode Load(string file) => JsonNode.Parse(File.ReadAllText(Path.Combine(GrafanaDirectory, "dashboards", file)))!;

    private (DateTimeOffset From, DateTimeOffset To) ParseRange(string from) => (history.Now - ParseDuration(from.Replace("now-", "")), history.Now);

    private static TimeSpan ParseDuration(string text)
    {
        var m = Regex.Match(text, @"^(\d+)([mhdwMy])$");
        Assert.True(m.Success, $"duration {text}");
        var n = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch
        {
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            "d" => TimeSpan.FromDays(n),
            "w" => TimeSpan.FromDays(7 * n),
            "M" => TimeSpan.FromDays(30 * n),
            _ => TimeSpan.FromDays(365 * n),
        };
    }

    /// <summary>What Grafana's InfluxDB data source does to a raw query before sending it.</summary>
    private static string Substitute(string query, IReadOnlyDictionary<string, string> variables, (DateTimeOffset From, DateTimeOffset To) range, TimeSpan shift)
    {
        var from = range.From - shift;
        var to = range.To - shift;
        var span = to - from;
        var interval = span <= TimeSpan.FromDays(1) ? "1m" : span <= TimeSpan.FromDays(7) ? "10m" : "1h";
        var text = query
            .Replace("$timeFilter", $"time >= {from.ToUnixTimeMilliseconds()}ms and time <= {to.ToUnixTimeMilliseconds()}ms")
            .Replace("$__interval", interval);
        foreach (var (name, value) in variables) text = text.Replace("$" + name, value);
        return text;
    }
}

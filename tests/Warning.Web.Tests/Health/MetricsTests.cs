using System.Globalization;
using System.Text.RegularExpressions;
using Warning.Analytics.Hierarchy;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Health;

/// <summary>
/// <c>/metrics</c> speaks the Prometheus text format and follows intake: a scrape after a report shows it accepted and
/// applied. A process of its own: metric listeners are process-wide, and in-process test apps would read one another's gauges.
/// </summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task A_scrape_shows_intake_positions_that_move_with_accepted_reports_and_the_request_metrics()
    {
        var data = Path.Combine(Path.GetTempPath(), "warning-metrics-" + Guid.NewGuid().ToString("N"));
        await using var service = await ServiceProcess.StartAsync(data);
        using var client = new HttpClient { BaseAddress = new Uri(service.BaseUrl), Timeout = TimeSpan.FromMinutes(2) };
        var grid = Warning.Analytics.Simulation.CityGenerator.Generate(Warning.Analytics.Simulation.CityShape.Small, 7)
            .AtLevel(AreaLevel.Grid).Select(a => a.Id).Order(StringComparer.Ordinal).First();
        var before = Gauge(await ScrapeAsync(client), "warning_ingest_accepted_seq");
        Assert.NotNull(before);

        var posted = await Reports.PostAsync(client, "/api/v1/reports", Reports.Valid(grid));
        Assert.Equal(202, posted.Status);

        // The exporter caches a scrape for a moment, and the grains apply behind intake: poll until both pass the report.
        string text = "";
        Assert.True(await Poll.UntilAsync(async () =>
        {
            text = await ScrapeAsync(client);
            return Gauge(text, "warning_ingest_accepted_seq") > before && Gauge(text, "warning_ingest_applied_seq") >= Gauge(text, "warning_ingest_accepted_seq");
        }, TimeSpan.FromMinutes(2)), "the scraped positions never passed the accepted report:\n" + text);
        Assert.Equal(0, Gauge(text, "warning_ingest_apply_lag"));
        Assert.Contains("# TYPE warning_ingest_applied_seq gauge", text);
        Assert.Matches(new Regex("^http_server_request_duration_seconds_count\\{.*http_route=\"/api/v1/reports\"", RegexOptions.Multiline), text);
    }

    private static async Task<string> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/metrics");
        Assert.True(response.IsSuccessStatusCode, $"/metrics: {(int)response.StatusCode}");
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    private static double? Gauge(string text, string name)
    {
        var match = Regex.Match(text, $"^{name}(?:\\{{[^}}]*\\}})? ([0-9.eE+-]+)", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }
}

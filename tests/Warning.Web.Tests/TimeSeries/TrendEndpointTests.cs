using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Warning.Analytics.Hierarchy;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.TimeSeries;

/// <summary>One service writing to one InfluxDB of its own for the whole class (the host is started and stopped once).</summary>
public abstract class InfluxService(string database) : IAsyncLifetime
{
    public InfluxServer Server { get; } = new();
    public WarningAppFactory App { get; } = new();
    public Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> Factory { get; private set; } = null!;
    public LogCapture Logs { get; } = new();

    public async Task InitializeAsync()
    {
        await Server.InitializeAsync();
        Factory = InfluxAppFactory.Create(App, Server, database)
            .WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(Logs)));
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        App.Dispose();
        await Server.DisposeAsync();
    }
}

public sealed class TrendService() : InfluxService("trends");

public sealed class TrendEndpointTests(TrendService service) : IClassFixture<TrendService>
{
    [Fact]
    public async Task Trends_by_category_and_by_child_area_come_from_influxdb()
    {
        var app = service.App;
        var factory = service.Factory;
        using var http = factory.CreateClient();
        var hierarchy = app.Hierarchy;
        var county = hierarchy.AtLevel(AreaLevel.County).OrderBy(a => a.Id, StringComparer.Ordinal).First();
        var grids = hierarchy.Descendants(county.Id, AreaLevel.Grid).OrderBy(a => a.Id, StringComparer.Ordinal).ToList();
        var categories = new[] { "land", "land", "land", "debt", "neighbor" };
        var batch = new JsonArray();
        for (var i = 0; i < 40; i++)
        {
            var report = Reports.Valid(grids[i % grids.Count].Id);
            report["category"] = categories[i % categories.Length];
            batch.Add(report);
        }
        // Outside the county: must not be counted.
        batch.Add(Reports.Valid(hierarchy.AtLevel(AreaLevel.Grid).First(g => !hierarchy.PathToRoot(g.Id).Contains(county)).Id));
        var (status, _, _) = await Reports.PostAsync(http, "/api/v1/reports", batch);
        Assert.Equal(202, status);
        await factory.SettleAsync();
        Assert.True(await factory.Writer().FlushAsync(TimeSpan.FromSeconds(30)));

        var byCategory = await Reports.GetAsync(http, $"/api/v1/regions/{county.Id}/trends?days=30&by=category");
        Assert.Equal("category", byCategory["by"]!.GetValue<string>());
        var totals = byCategory["series"]!.AsArray().ToDictionary(s => s!["key"]!.GetValue<string>(), s => s!["total"]!.GetValue<long>());
        Assert.Equal(new Dictionary<string, long> { ["land"] = 24, ["debt"] = 8, ["neighbor"] = 8 }, totals);
        var land = byCategory["series"]!.AsArray().First(s => s!["key"]!.GetValue<string>() == "land")!;
        Assert.Equal(30, land["points"]!.AsArray().Count);

        var byChild = await Reports.GetAsync(http, $"/api/v1/regions/{county.Id}/trends?by=child");
        var children = byChild["series"]!.AsArray();
        Assert.All(children, c => Assert.Equal(county.Id, hierarchy[c!["key"]!.GetValue<string>()].ParentId));
        Assert.Equal(40, children.Sum(c => c!["total"]!.GetValue<long>()));
        Assert.All(children, c => Assert.Equal(hierarchy[c!["key"]!.GetValue<string>()].Name, c!["name"]!.GetValue<string>()));

        var village = hierarchy[grids[0].ParentId!];
        var byGrid = await Reports.GetAsync(http, $"/api/v1/regions/{village.Id}/trends?by=child&days=7");
        Assert.All(byGrid["series"]!.AsArray(), g => Assert.Equal(village.Id, hierarchy[g!["key"]!.GetValue<string>()].ParentId));
        Assert.NotEmpty(byGrid["series"]!.AsArray());

        var city = await Reports.GetAsync(http, $"/api/v1/regions/{app.CityId}/trends");
        Assert.Equal(41, city["series"]!.AsArray().Sum(c => c!["total"]!.GetValue<long>()));
    }

    [Theory]
    [InlineData("?days=0", "days")]
    [InlineData("?days=401", "days")]
    [InlineData("?days=abc", "days")]
    [InlineData("?days=-3", "days")]
    [InlineData("?by=person", "by")]
    [InlineData("?by=", "by")]
    public async Task Bad_parameters_are_a_problem_naming_the_field(string query, string field)
    {
        var app = service.App;
        using var http = service.Factory.CreateClient();
        using var response = await http.GetAsync($"/api/v1/regions/{app.CityId}/trends{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(field, body["errors"]![0]!["field"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_or_hostile_region_ids_are_404_and_a_grid_has_no_category_trend()
    {
        var app = service.App;
        using var http = service.Factory.CreateClient();
        foreach (var id in new[] { "nope", "x' OR 1=1 --", "a\"b\\c", "中文'" })
        {
            using var response = await http.GetAsync($"/api/v1/regions/{Uri.EscapeDataString(id)}/trends");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        using var grid = await http.GetAsync($"/api/v1/regions/{app.GridIds[0]}/trends?by=category");
        Assert.Equal(HttpStatusCode.BadRequest, grid.StatusCode);
        Assert.Equal("by", JsonNode.Parse(await grid.Content.ReadAsStringAsync())!["errors"]![0]!["field"]!.GetValue<string>());
    }
}

public sealed class TrendsWithoutInfluxTests(WarningAppFactory app) : IClassFixture<WarningAppFactory>
{
    [Fact]
    public async Task Without_influxdb_the_answer_says_so_and_readyz_does_not_ask_for_it()
    {
        using var http = app.CreateClient();
        using var disabled = await http.GetAsync($"/api/v1/regions/{app.CityId}/trends");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, disabled.StatusCode);
        Assert.Equal("application/problem+json", disabled.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Influx:Enabled", await disabled.Content.ReadAsStringAsync());
        var ready = await Reports.GetAsync(http, "/readyz");
        Assert.Null(ready["checks"]!["influxdb"]);
    }
}

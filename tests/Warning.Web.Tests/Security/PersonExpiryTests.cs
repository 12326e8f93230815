using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Warning.Silo.Storage;
using Warning.Web.Persons;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Security;

/// <summary>
/// Issue 13: when a key individual's basis expires the record stops counting for risk at once, and after
/// Persons:PurgeAfter its identifying fields are purged (in the grain, and in the ingest log's copy), with an audit entry.
/// The service's clock is moved forward instead of waiting days.
/// </summary>
public sealed class PersonExpiryTests : IDisposable
{
    private const string Feature = "key_individual_documented_threat";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    private readonly WarningAppFactory _factory = new();

    [Fact]
    public async Task An_expired_basis_stops_counting_for_risk_and_its_identifying_fields_are_purged_after_retention()
    {
        var time = new MovableTime();
        var app = Start(time);
        var client = app.CreateClient();
        var grid = _factory.GridIds[3];
        var person = "p-exp-" + Guid.NewGuid().ToString("N")[..10];
        const string reference = "公安决定书 2026-0042";
        var now = DateTimeOffset.UtcNow;
        var registration = new JsonObject
        {
            ["personId"] = person, ["gridId"] = grid, ["basis"] = "documented_threat", ["basisReference"] = reference,
            ["basisReviewedAt"] = now.AddDays(-5).ToString("O"), ["basisExpiresAt"] = now.AddDays(10).ToString("O"),
        };
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/persons", registration)).Status);
        var report = Reports.Valid(grid);
        report["personIds"] = new JsonArray(person);
        var posted = await Reports.PostAsync(client, "/api/v1/reports", report);
        Assert.Equal(202, posted.Status);
        var caseId = (string)posted.Body!["items"]![0]!["caseId"]!;

        async Task<bool> CountsAsync()
        {
            // 404 until the case is applied.
            using var response = await client.GetAsync($"/api/v1/cases/{caseId}");
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return false;
            var view = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
            return view["score"]?["contributions"] is JsonArray c && c.Any(x => (string?)x?["feature"] == Feature);
        }
        Assert.True(await Poll.UntilAsync(CountsAsync, Limit), "the key individual's basis never counted for the case");

        var sweeper = app.Services.GetRequiredService<PersonExpirySweep>();
        async Task<(int Expired, int Purged)> SweepAsync() { var r = await sweeper.SweepAsync(); return (r.Expired, r.Purged); }
        // Not expired yet: a sweep changes nothing.
        Assert.Equal((0, 0), await SweepAsync());

        // Expired: the next sweep re-scores the open cases, and the case no longer counts the basis.
        time.Advance(TimeSpan.FromDays(11));
        Assert.Equal((1, 0), await SweepAsync());
        Assert.True(await Poll.UntilAsync(async () => !await CountsAsync(), Limit), "the expired basis still counts for the case");
        var kept = await ReadAsync(client, person);
        Assert.Equal(reference, (string)kept["basisReference"]!);
        Assert.False((bool)kept["purged"]!);
        Assert.Contains(caseId, kept["linkedCases"]!.AsArray().Select(c => (string)c!));
        // Expiry is reported once, not at every sweep.
        Assert.Equal((0, 0), await SweepAsync());

        // Past retention (30 days after expiry): the identifying fields go, in the grain and in the log's copy.
        time.Advance(TimeSpan.FromDays(30));
        Assert.Equal((0, 1), await SweepAsync());
        var purged = await ReadAsync(client, person);
        Assert.True((bool)purged["purged"]!);
        Assert.Equal("", (string)purged["basisReference"]!);
        Assert.Empty(purged["linkedCases"]!.AsArray());
        Assert.Equal(person, (string)purged["personId"]!);
        Assert.DoesNotContain(reference, LoggedRegistration(app.Services, person));
        Assert.False(await CountsAsync());

        using var audit = await client.GetAsync("/api/v1/audit?limit=1000");
        var entries = (await audit.Content.ReadFromJsonAsync<JsonArray>())!;
        Assert.Contains(entries, e => (string?)e?["action"] == "person.purge" && (string?)e?["target"] == "person:" + person);
        // Purged once: a later sweep leaves it be.
        Assert.Equal((0, 0), await SweepAsync());
    }

    [Fact]
    public async Task The_sweep_calls_only_the_key_individuals_whose_expiry_or_purge_came()
    {
        var time = new MovableTime();
        var app = Start(time);
        var client = app.CreateClient();
        var sweep = app.Services.GetRequiredService<PersonExpirySweep>();
        var (later, soon) = ("p-due-" + Guid.NewGuid().ToString("N")[..10], "p-due-" + Guid.NewGuid().ToString("N")[..10]);
        async Task RegisterAsync(string person, TimeSpan expiresIn)
        {
            var now = time.GetUtcNow();
            Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/persons", new JsonObject
            {
                ["personId"] = person, ["gridId"] = _factory.GridIds[5], ["basis"] = "community_corrections", ["basisReference"] = "矫正决定书",
                ["basisReviewedAt"] = now.AddDays(-5).ToString("O"), ["basisExpiresAt"] = now.Add(expiresIn).ToString("O"),
            })).Status);
        }
        await RegisterAsync(later, TimeSpan.FromDays(100));
        await RegisterAsync(soon, TimeSpan.FromDays(2));
        // Sweeps until both were seen applied: a person not applied yet is looked at again at every sweep.
        Assert.True(await Poll.UntilAsync(async () => (await sweep.SweepAsync()).Visited == 0, Limit), "the sweep kept calling every person");

        // Nothing due: nobody is called. Three days on: only the one whose basis expired.
        Assert.Equal((0, 0, 0), await sweep.SweepAsync());
        time.Advance(TimeSpan.FromDays(3));
        Assert.Equal((1, 0, 1), await sweep.SweepAsync());
        Assert.Equal((0, 0, 0), await sweep.SweepAsync());

        // Past retention (30 days after expiry), its purge is due and nothing else; then the other one's expiry.
        time.Advance(TimeSpan.FromDays(30));
        Assert.Equal((0, 1, 1), await sweep.SweepAsync());
        Assert.Equal((0, 0, 0), await sweep.SweepAsync());
        time.Advance(TimeSpan.FromDays(70));
        Assert.Equal((1, 0, 1), await sweep.SweepAsync());
    }

    /// <summary>The service on a clock the test moves; the test sweeps when it has moved it (the service's own sweep runs at start, then daily).</summary>
    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> Start(MovableTime time) => _factory.WithWebHostBuilder(b =>
    {
        b.UseSetting("Persons:PurgeAfter", "30.00:00:00");
        b.UseSetting("Persons:SweepInterval", "1.00:00:00");
        b.ConfigureServices(s => s.AddKeyedSingleton<TimeProvider>(Warning.Silo.Time.WarningClock.Business, time));
    });

    private static async Task<JsonNode> ReadAsync(HttpClient client, string person)
    {
        var read = await Reports.PostAsync(client, $"/api/v1/persons/{person}/read", new JsonObject { ["reason"] = "expiry test: checking the record" });
        Assert.Equal(200, read.Status);
        return read.Body!["person"]!;
    }

    private static string LoggedRegistration(IServiceProvider services, string person)
    {
        using var connection = services.GetRequiredService<WarningDatabase>().Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT payload FROM ingest_log WHERE kind = 'Person' AND item_id = $id";
        command.Parameters.AddWithValue("$id", person);
        var payload = command.ExecuteScalar() as string;
        Assert.NotNull(payload);
        return payload;
    }

    public void Dispose() => _factory.Dispose();
}

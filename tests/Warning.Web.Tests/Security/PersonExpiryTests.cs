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
        var app = _factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Persons:PurgeAfter", "30.00:00:00");
            // The test sweeps when it has moved the clock; the service's own sweep runs once at start and then daily.
            b.UseSetting("Persons:SweepInterval", "1.00:00:00");
            b.ConfigureServices(s => s.AddKeyedSingleton<TimeProvider>(Warning.Silo.Time.WarningClock.Business, time));
        });
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
            var view = await Reports.GetAsync(client, $"/api/v1/cases/{caseId}");
            return view["score"]?["contributions"] is JsonArray c && c.Any(x => (string?)x?["feature"] == Feature);
        }
        Assert.True(await Poll.UntilAsync(CountsAsync, Limit), "the key individual's basis never counted for the case");

        var sweep = app.Services.GetRequiredService<PersonExpirySweep>();
        // Not expired yet: a sweep changes nothing.
        Assert.Equal((0, 0), await sweep.SweepAsync());

        // Expired: the next sweep re-scores the open cases, and the case no longer counts the basis.
        time.Advance(TimeSpan.FromDays(11));
        Assert.Equal((1, 0), await sweep.SweepAsync());
        Assert.True(await Poll.UntilAsync(async () => !await CountsAsync(), Limit), "the expired basis still counts for the case");
        var kept = await ReadAsync(client, person);
        Assert.Equal(reference, (string)kept["basisReference"]!);
        Assert.False((bool)kept["purged"]!);
        Assert.Contains(caseId, kept["linkedCases"]!.AsArray().Select(c => (string)c!));
        // Expiry is reported once, not at every sweep.
        Assert.Equal((0, 0), await sweep.SweepAsync());

        // Past retention (30 days after expiry): the identifying fields go, in the grain and in the log's copy.
        time.Advance(TimeSpan.FromDays(30));
        Assert.Equal((0, 1), await sweep.SweepAsync());
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
        Assert.Equal((0, 0), await sweep.SweepAsync());
    }

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

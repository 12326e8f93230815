using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Ingest;

namespace Warning.Web.Tests.Support;

/// <summary>The whole service in process on a fresh data folder and the small simulated city.</summary>
public sealed class WarningAppFactory : WebApplicationFactory<Program>
{
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "warning-test-" + Guid.NewGuid().ToString("N"));

    /// <summary>
    /// Requests without credentials of their own run as a caller holding every role (<see cref="TestIdentity"/>), so tests
    /// of other features need not sign in; security tests set this false and see the service as a stranger does.
    /// </summary>
    public bool SignedInByDefault { get; init; } = true;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Storage:DataDirectory", DataDirectory);
        builder.UseSetting("Storage:Synchronous", "NORMAL");
        builder.UseSetting("Hierarchy:SimulatedCityShape", "Small");
        builder.UseSetting("Simulator:Enabled", "false");
        builder.UseSetting("Applier:CheckpointInterval", "00:00:01");
        // Every host of a test run co-hosts a silo of its own: each needs its own silo port.
        builder.UseSetting("Orleans:SiloPort", ServiceProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        // A tick ten seconds in would re-score whatever a test had just checked; RescoreOnStartupTests turns it on.
        builder.UseSetting("Risk:RescoreOnStartup", "false");
        // Tests fire requests far faster than any person; the rate-limit tests set their own limits.
        foreach (var (key, value) in TestSettings.UnlimitedRates) builder.UseSetting(key, value);
        if (SignedInByDefault) builder.ConfigureServices(TestIdentity.AddTo);
        // Stopping writes every live grain's state; on a busy 2-core machine that outran the default 30 s once
        // (TrainFromLogTests: 240 days of history), and a timed-out stop fails the test that was already done.
        builder.ConfigureServices(s => s.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMinutes(3)));
    }

    /// <summary>
    /// The city every host of this factory loads (the simulated small city, seed 7), made here rather than read from
    /// <see cref="WebApplicationFactory{T}.Services"/>: that would start this factory's own host, and a second host on the data
    /// folder of a derived factory's running one means two silos writing the same grain states.
    /// </summary>
    public AreaHierarchy Hierarchy => _hierarchy.Value;

    private readonly Lazy<AreaHierarchy> _hierarchy = new(() => Warning.Analytics.Simulation.CityGenerator.Generate(Warning.Analytics.Simulation.CityShape.Small, 7));

    public IReadOnlyList<string> GridIds => Hierarchy.AtLevel(AreaLevel.Grid).Select(a => a.Id).Order(StringComparer.Ordinal).ToArray();

    public string CityId => Hierarchy.Roots[0].Id;

    /// <summary>Waits until the grains hold everything accepted so far.</summary>
    public async Task SettleAsync()
    {
        var log = Services.GetRequiredService<IngestLog>();
        var applier = Services.GetRequiredService<IngestApplier>();
        await applier.CaughtUp.WaitAsync(TimeSpan.FromSeconds(30));
        await applier.WaitForAppliedAsync(log.LastSeq).WaitAsync(TimeSpan.FromSeconds(30));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

public static class Reports
{
    private static int _counter;

    public static JsonObject Valid(string gridId, string? reportId = null) => new()
    {
        ["reportId"] = reportId ?? $"t-{Guid.NewGuid():N}"[..30] + Interlocked.Increment(ref _counter),
        ["gridId"] = gridId,
        ["reportedAt"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"),
        ["reporterId"] = "w-" + gridId,
        ["category"] = "land",
        ["status"] = "screened",
        ["partiesCount"] = 2,
        ["peopleInvolved"] = 5,
        ["amountInDispute"] = 12000.5,
        ["mediationAttempts"] = 0,
        ["flags"] = new JsonArray("threat_of_violence"),
        ["summary"] = "因宅基地边界发生争执",
    };

    public static JsonObject Incident(string gridId, string? caseId = null) => new()
    {
        ["incidentId"] = $"i-{Guid.NewGuid():N}",
        ["source"] = "police_110",
        ["type"] = "threat",
        ["occurredAt"] = DateTimeOffset.UtcNow.AddMinutes(-2).ToString("O"),
        ["gridId"] = gridId,
        ["caseId"] = caseId,
        ["severity"] = 3,
    };

    public static async Task<(int Status, JsonNode? Body, string? ContentType)> PostAsync(HttpClient client, string path, JsonNode body) =>
        await SendAsync(client, path, new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));

    public static async Task<(int Status, JsonNode? Body, string? ContentType)> SendAsync(HttpClient client, string path, HttpContent content)
    {
        using var response = await client.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? node = null;
        try { node = text.Length == 0 ? null : JsonNode.Parse(text); } catch (JsonException) { }
        return ((int)response.StatusCode, node, response.Content.Headers.ContentType?.MediaType);
    }

    public static async Task<JsonNode> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!;
    }
}

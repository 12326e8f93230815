using Microsoft.Data.Sqlite;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Durability;

/// <summary>An entry of the ingest log whose payload cannot be read is logged and passed over; the entries after it still apply.</summary>
public sealed class UnreadableEntryTests
{
    [Fact]
    public async Task A_replay_passes_over_an_unreadable_entry_and_applies_the_ones_after_it()
    {
        var data = Path.Combine(Path.GetTempPath(), "warning-unreadable-" + Guid.NewGuid().ToString("N"));
        var grid = CityGenerator.Generate(CityShape.Small, 7).AtLevel(AreaLevel.Grid).First().Id;
        await using (var first = await ServiceProcess.StartAsync(data))
        {
            using var client = new HttpClient { BaseAddress = new Uri(first.BaseUrl) };
            Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/reports", Reports.Valid(grid, "readable-1"))).Status);
            await first.StopAsync();
        }

        // Behind the service's back: a broken entry, then a good one (a second report on the same case), neither applied.
        string caseId;
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(data, "warning.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO ingest_log (kind, item_id, case_id, received_at, payload)
                  SELECT 'Report', 'broken-1', 'case-broken', received_at, '{"reportId": ' FROM ingest_log WHERE item_id = 'readable-1';
                INSERT INTO ingest_log (kind, item_id, case_id, received_at, payload)
                  SELECT 'Report', 'readable-2', case_id, received_at, replace(payload, 'readable-1', 'readable-2')
                  FROM ingest_log WHERE item_id = 'readable-1';
                SELECT case_id FROM ingest_log WHERE item_id = 'readable-2';
                """;
            caseId = (string)command.ExecuteScalar()!;
        }
        {
            await using var second = await ServiceProcess.StartAsync(data);
            using var client = new HttpClient { BaseAddress = new Uri(second.BaseUrl) };
            Assert.True(await Poll.UntilAsync(async () =>
                    (await Reports.GetAsync(client, $"/api/v1/cases/{caseId}"))["history"]!.AsArray().Any(h => (string?)h!["reportId"] == "readable-2"),
                TimeSpan.FromMinutes(2)), $"the entry after the broken one was not applied:\n{second.Output}");
            Assert.Contains("its payload cannot be read", second.Output);
            Assert.True((await client.GetAsync("/readyz")).IsSuccessStatusCode);
        }
        try { Directory.Delete(data, true); } catch (IOException) { }
    }
}

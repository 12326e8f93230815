using Warning.Web.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Warning.Silo.Ingest;
using Warning.Web.Simulator;
using Xunit.Abstractions;

namespace Warning.Web.Tests.Simulator;

/// <summary>
/// The demo feed stopped and started again on the same data folder: its simulated clock carries on where it stopped
/// (not from the wall clock's time of day, which at night meant a long quiet spell), and its history is loaded once.
/// </summary>
public sealed class DemoFeedRestartTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private readonly string _data = Path.Combine(Path.GetTempPath(), "warning-demo-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_restart_continues_the_simulated_clock_and_does_not_reload_the_history()
    {
        var started = DateTimeOffset.UtcNow;
        DateTimeOffset firstFrom;
        int history;
        await using (var first = new DemoApp(_data))
        {
            firstFrom = await first.Feed.LiveFrom.WaitAsync(Patience);
            // An empty store: the clock starts at the wall clock's now, after the history that ends there.
            Assert.InRange(firstFrom, started.AddMinutes(-1), DateTimeOffset.UtcNow);
            history = HistoryEntries(first);
            Assert.True(history > 100, $"history of {history} entries");
            Assert.Contains(first.Services.GetRequiredService<IngestLog>().ReadAfter(0), e => e.Kind == IngestKind.Screening);
            // 3,600×: a simulated hour is a wall-clock second.
            await WaitUntilAsync(() => first.Feed.SimulatedNow > firstFrom.AddHours(1));
        }

        var stoppedAt = DateTimeOffset.FromUnixTimeMilliseconds(ReadCheckpoint(DemoFeed.ClockCheckpoint));
        Assert.True(stoppedAt > firstFrom.AddHours(1), $"stopped at {stoppedAt:O}, started at {firstFrom:O}");

        await using (var second = new DemoApp(_data))
        {
            var secondFrom = await second.Feed.LiveFrom.WaitAsync(Patience);
            output.WriteLine($"first run from {firstFrom:O}, stopped at {stoppedAt:O}, second run from {secondFrom:O}");
            Assert.Equal(stoppedAt, secondFrom);
            Assert.True(secondFrom > DateTimeOffset.UtcNow.AddMinutes(30), "the second run restarted from the wall clock");
            Assert.Equal(history, HistoryEntries(second));
            await WaitUntilAsync(() => second.Feed.SimulatedNow > secondFrom.AddHours(1));
        }
        Assert.True(ReadCheckpoint(DemoFeed.ClockCheckpoint) > stoppedAt.AddHours(1).ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task A_history_load_that_did_not_finish_is_finished_without_doubling_it()
    {
        int history;
        await using (var first = new DemoApp(_data))
        {
            await first.Feed.LiveFrom.WaitAsync(Patience);
            history = HistoryEntries(first);
        }
        var window = ReadCheckpoint(DemoFeed.HistoryCheckpoint);
        Assert.Equal(1, ReadCheckpoint(DemoFeed.HistoryLoadedCheckpoint));
        // As if the first start had stopped before its history was all in.
        Execute($"DELETE FROM checkpoints WHERE name = '{DemoFeed.HistoryLoadedCheckpoint}'");

        await using (var second = new DemoApp(_data))
        {
            await second.Feed.LiveFrom.WaitAsync(Patience);
            Assert.Equal(history, HistoryEntries(second));
        }
        Assert.Equal(1, ReadCheckpoint(DemoFeed.HistoryLoadedCheckpoint));
        Assert.Equal(window, ReadCheckpoint(DemoFeed.HistoryCheckpoint));
    }

    /// <summary>Entries of the history's simulator (seed 42); the live runs use other seeds, so other ids.</summary>
    private static int HistoryEntries(DemoApp app) =>
        app.Services.GetRequiredService<IngestLog>().ReadAfter(0).Count(e => e.ItemId.Split('-') is [_, "42", _]);

    private long ReadCheckpoint(string name)
    {
        using var connection = new SqliteConnection(StateConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq FROM checkpoints WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        var seq = command.ExecuteScalar() is long value ? value : 0;
        SqliteConnection.ClearPool(connection);
        return seq;
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection(StateConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
        SqliteConnection.ClearPool(connection);
    }

    private string StateConnectionString => $"Data Source={Path.Combine(_data, "state.db")};Pooling=False";

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(Poll.Interval);
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>The service with the demo feed on, the small city, a short history and a fast clock, on a given data folder.</summary>
    private sealed class DemoApp(string dataDirectory) : WebApplicationFactory<Program>
    {
        public DemoFeed Feed => Services.GetServices<IHostedService>().OfType<DemoFeed>().Single();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("Storage:DataDirectory", dataDirectory);
            builder.UseSetting("Storage:Synchronous", "NORMAL");
            builder.UseSetting("Hierarchy:SimulatedCityShape", "Small");
            builder.UseSetting("Simulator:Enabled", "true");
            builder.UseSetting("Simulator:HistoryDays", "3");
            builder.UseSetting("Simulator:Speed", "3600");
            builder.UseSetting("Applier:CheckpointInterval", "00:00:01");
            builder.UseSetting("Risk:RescoreOnStartup", "false");
            builder.UseSetting("Risk:RetrainCron", "");
            // The demo trains a first model after its history; keep that light on a busy machine.
            builder.UseSetting("Risk:BoostingRounds", "10");
            builder.UseSetting("Spikes:ScanOnStartup", "false");
        }
    }
}

using System.Text.Json.Nodes;
using Warning.Web.Tests.Support;
using Xunit.Abstractions;

namespace Warning.Web.Tests.Jobs;

/// <summary>Retraining runs are Hangfire jobs in the data folder's job store: a crash does not lose one.</summary>
public sealed class RetrainRestartTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "warning-jobs-restart-" + Guid.NewGuid().ToString("N"));

    private static readonly string[] Settings =
    [
        "--Risk:BoostingRounds=40", "--Risk:TrainingCaseSample=1", "--Risk:RetrainCron=", "--Risk:RescoreOnStartup=false",
        "--Spikes:ScanOnStartup=false", "--Jobs:QueuePollInterval=00:00:00.200",
    ];

    [Fact]
    public async Task A_retraining_queued_before_kill_9_runs_after_the_restart_and_answers_to_its_id()
    {
        string jobId;
        await using (var service = await ServiceProcess.StartAsync(_data, Settings))
        {
            using var client = new HttpClient { BaseAddress = new Uri(service.BaseUrl) };
            var accepted = await Reports.PostAsync(client, "/api/v1/risk/model/retrain", new JsonObject { ["historyDays"] = 365 });
            Assert.Equal(202, accepted.Status);
            Assert.Equal("queued", (string?)accepted.Body!["state"]);
            jobId = (string)accepted.Body["jobId"]!;
            // At once: the run is queued, or at most a moment into its history replay (it takes seconds).
            service.Kill();
        }

        await using var restarted = await ServiceProcess.StartAsync(_data, Settings);
        using var after = new HttpClient { BaseAddress = new Uri(restarted.BaseUrl) };
        JsonNode status = new JsonObject();
        Assert.True(await Poll.UntilAsync(async () =>
        {
            status = await Reports.GetAsync(after, $"/api/v1/risk/model/retrain/{jobId}");
            return (string?)status["state"] is "succeeded" or "failed";
        }, TimeSpan.FromMinutes(3)), $"still {status}");
        output.WriteLine(status.ToJsonString());
        Assert.Equal("succeeded", (string?)status["state"]);
        Assert.Equal("on_demand", (string?)status["trigger"]);
        Assert.Equal(365, (int)status["historyDays"]!);
        var version = (string)status["modelVersion"]!;
        Assert.Equal(version, (string?)(await Reports.GetAsync(after, "/api/v1/risk/model"))["model"]);

        // The dashboard answers this machine (real Kestrel, a loopback connection).
        using var dashboard = await after.GetAsync($"/jobs/jobs/details/{jobId["retrain-".Length..]}");
        Assert.Equal(System.Net.HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("Succeeded", await dashboard.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_start_that_fails_is_logged_by_the_bootstrap_logger_to_the_log_file()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartAsync(_data, "--Jobs:WorkerCount=0"));
        Assert.Contains("exited", failure.Message);
        var logs = Directory.GetFiles(Path.Combine(_data, "logs"), "warning-*.log");
        var fatal = logs.SelectMany(File.ReadLines).Select(l => JsonNode.Parse(l)!).Where(e => (string?)e["Level"] == "Fatal").ToArray();
        var entry = Assert.Single(fatal);
        Assert.Contains("Jobs:WorkerCount must be between 1 and 64", (string?)entry["RenderedMessage"]);
        Assert.False(string.IsNullOrEmpty((string?)entry["Exception"]), "the exception with its stack");
    }

    public void Dispose()
    {
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Durability;

/// <summary>
/// <c>dotnet run --project src/Warning.Silo</c>: a silo alone, no HTTP, applies the ingest log of its data folder. A web
/// node accepts reports and is killed at once; the silo alone, started on that folder, replays what was not applied and
/// on a graceful stop records the whole log as applied.
/// </summary>
public sealed class SiloAloneTests
{
    [Fact]
    public async Task A_silo_alone_applies_the_log_a_killed_node_left_and_checkpoints_all_of_it()
    {
        var data = Path.Combine(Path.GetTempPath(), "warning-silo-alone-" + Guid.NewGuid().ToString("N"));
        var grids = CityGenerator.Generate(CityShape.Small, 7).AtLevel(AreaLevel.Grid).Select(a => a.Id).ToArray();
        // A checkpoint interval far beyond the test, so the web node's applier records nothing before the kill.
        await using (var web = await ServiceProcess.StartAsync(data, "--Applier:CheckpointInterval=01:00:00"))
        {
            using var client = new HttpClient { BaseAddress = new Uri(web.BaseUrl) };
            var batch = new System.Text.Json.Nodes.JsonArray(Enumerable.Range(0, 200).Select(i => (System.Text.Json.Nodes.JsonNode)Reports.Valid(grids[i % grids.Length])).ToArray());
            Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/reports", batch)).Status);
            web.Kill();
        }
        var logged = Scalar(data, "warning.db", "SELECT MAX(seq) FROM ingest_log");
        Assert.True(logged >= 200);
        Assert.True(Checkpoint(data) < logged, "the killed node had already checkpointed everything; nothing left for the silo to show");

        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        foreach (var a in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "Warning.Silo.dll"), $"--Storage:DataDirectory={data}", "--Hierarchy:SimulatedCityShape=Small",
                     $"--Orleans:SiloPort={ServiceProcess.FreePort()}", "--Applier:CheckpointInterval=00:00:01",
                 })
            info.ArgumentList.Add(a);
        using var silo = Process.Start(info)!;
        var output = new System.Text.StringBuilder();
        silo.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        silo.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        silo.BeginOutputReadLine();
        silo.BeginErrorReadLine();
        try
        {
            await Poll.UntilAsync(() => Checkpoint(data) >= logged || silo.HasExited, TimeSpan.FromMinutes(2));
            Assert.False(silo.HasExited, $"the silo exited:\n{output}");
            Assert.Equal(logged, Checkpoint(data));
            // No HTTP: a silo alone listens on its silo port only.
            Assert.DoesNotContain("Now listening on", output.ToString());
        }
        finally
        {
            using (var term = Process.Start("kill", ["-TERM", silo.Id.ToString()])) await term.WaitForExitAsync();
            await silo.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        }
        Assert.Equal(0, silo.ExitCode);
        try { Directory.Delete(data, true); } catch (IOException) { }
    }

    private static long Checkpoint(string data) => Scalar(data, "state.db", "SELECT COALESCE((SELECT seq FROM checkpoints WHERE name = 'ingest'), 0)");

    private static long Scalar(string data, string file, string sql)
    {
        var path = Path.Combine(data, file);
        if (!File.Exists(path)) return 0;
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        try { return command.ExecuteScalar() is long n ? n : 0; }
        catch (SqliteException) { return 0; }
    }
}

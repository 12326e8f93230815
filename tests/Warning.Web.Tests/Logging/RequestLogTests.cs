using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Logging;

/// <summary>The request log in the rolling JSON file: one line per request with its id, route, status and time.</summary>
public sealed class RequestLogTests : IDisposable
{
    private readonly WarningAppFactory _factory = new();

    [Fact]
    public async Task Each_request_is_one_line_with_request_id_route_status_and_elapsed_and_probes_at_debug()
    {
        // Debug for the request log only, to see the level the probes are written at.
        var app = _factory.WithWebHostBuilder(b => b.UseSetting("Serilog:MinimumLevel:Override:Serilog.AspNetCore.RequestLoggingMiddleware", "Debug"));
        var client = app.CreateClient();
        var city = _factory.CityId;
        (await client.GetAsync($"/api/v1/regions/{city}")).EnsureSuccessStatusCode();
        Assert.Equal(404, (int)(await client.GetAsync("/api/v1/cases/no-such-case")).StatusCode);
        (await client.GetAsync("/healthz")).EnsureSuccessStatusCode();

        JsonNode[] Requests()
        {
            var folder = Path.Combine(_factory.DataDirectory, "logs");
            if (!Directory.Exists(folder)) return [];
            return Directory.GetFiles(folder, "warning-*.log").SelectMany(ReadShared).Select(l => JsonNode.Parse(l)!)
                .Where(e => (string?)e["Properties"]?["SourceContext"] == "Serilog.AspNetCore.RequestLoggingMiddleware").ToArray();
        }
        JsonNode Find(string path) => Requests().Single(e => (string?)e["Properties"]!["RequestPath"] == path);
        Assert.True(await Poll.UntilAsync(() => Requests().Length >= 3, TimeSpan.FromSeconds(10)), "three request lines in the log file");

        var region = Find($"/api/v1/regions/{city}");
        Assert.Equal("Information", (string?)region["Level"]);
        Assert.Equal("/api/v1/regions/{id}", (string?)region["Properties"]!["Route"]);
        Assert.Equal(200, (int)region["Properties"]!["StatusCode"]!);
        Assert.Equal("GET", (string?)region["Properties"]!["RequestMethod"]);
        Assert.True((double)region["Properties"]!["Elapsed"]! > 0);
        var missing = Find("/api/v1/cases/no-such-case");
        Assert.Equal(404, (int)missing["Properties"]!["StatusCode"]!);
        Assert.Equal("/api/v1/cases/{id}", (string?)missing["Properties"]!["Route"]);
        var ids = new[] { region, missing }.Select(e => (string?)e["Properties"]!["RequestId"]).ToArray();
        Assert.All(ids, id => Assert.False(string.IsNullOrEmpty(id)));
        Assert.NotEqual(ids[0], ids[1]);

        var probe = Find("/healthz");
        Assert.Equal("Debug", (string?)probe["Level"]);
        Assert.Equal(200, (int)probe["Properties"]!["StatusCode"]!);
    }

    /// <summary>The host's file sink holds the file open for writing.</summary>
    private static IEnumerable<string> ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line) if (line.Length > 0) lines.Add(line);
        return lines;
    }

    public void Dispose() => _factory.Dispose();
}

using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Warning.Web.Tests.Support;
using Xunit.Abstractions;

namespace Warning.Web.Tests.Security;

/// <summary>
/// 5,000 generated hostile requests across every endpoint of the OpenAPI document (bad JSON, wrong types, huge and deeply
/// nested bodies, bad ids, injection strings, bad cookies and keys) against a real process: no 5xx, still healthy after,
/// and every report accepted in between is still there.
/// </summary>
public sealed class HostileFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Nasty =
    [
        "' OR 1=1 --", "\"; DROP TABLE audit_log; --", "<script>alert(1)</script>", "../../../../etc/passwd", "%00", "\u0000", "${jndi:ldap://x}",
        "{{7*7}}", new string('A', 5000), "𠜎𠜱", "-1", "1e309", "NaN", "null", "[]", "{}", "\\u0000", "admin", "../console/",
    ];

    [Fact]
    public async Task Five_thousand_hostile_requests_get_no_5xx_and_lose_nothing()
    {
        var key = "wk_" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        var data = Path.Combine(Path.GetTempPath(), "warning-fuzz-" + Guid.NewGuid().ToString("N"));
        await using var service = await ServiceProcess.StartAsync(data, ServiceProcess.FreePort(), signedInByDefault: false,
            "--Auth:ProvisionedKeys:0:Name=fuzz", $"--Auth:ProvisionedKeys:0:Sha256={hash}", "--Auth:ProvisionedKeys:0:Kinds:0=report");
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(service.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        // The feed posting real reports has connections of its own, as a real feed would: not the attacker's.
        using var feed = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(service.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };

        var document = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"))!;
        var operations = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(m => (Method: m.Key.ToUpperInvariant(), Path: p.Key))).ToArray();
        Assert.True(operations.Length > 30, $"only {operations.Length} operations in the OpenAPI document");
        var grids = CityGridIds();
        var random = new Random(2024);
        var valid = new List<JsonObject>();
        var statuses = new Dictionary<int, int>();
        var fiveHundreds = new List<string>();

        for (var i = 0; i < 5000; i++)
        {
            HttpRequestMessage request;
            if (i % 25 == 0)
            {
                // A real report every 25 requests: all of them must be there at the end.
                var report = Reports.Valid(grids[random.Next(grids.Length)]);
                valid.Add(report);
                request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/reports") { Content = Json(report.ToJsonString()) };
                request.Headers.Add("X-Api-Key", key);
            }
            else
            {
                var (method, template) = operations[random.Next(operations.Length)];
                var path = System.Text.RegularExpressions.Regex.Replace(template, @"\{[^}]+\}", _ => Uri.EscapeDataString(Pick(random, Nasty)));
                if (random.Next(3) == 0) path += "?regionId=" + Uri.EscapeDataString(Pick(random, Nasty)) + "&limit=" + Uri.EscapeDataString(Pick(random, Nasty)) + "&token=" + Uri.EscapeDataString(Pick(random, Nasty));
                request = new HttpRequestMessage(random.Next(5) == 0 ? HttpMethod.Post : new HttpMethod(method), path);
                switch (random.Next(6))
                {
                    case 0: request.Headers.TryAddWithoutValidation("X-Api-Key", Pick(random, Nasty)); break;
                    case 1: request.Headers.TryAddWithoutValidation("Cookie", "warning.session=" + Uri.EscapeDataString(Pick(random, Nasty))); break;
                    case 2: request.Headers.TryAddWithoutValidation("Cookie", "warning.screen=CfDJ8" + new string('x', random.Next(1, 3000)) + "; warning.af=junk"); break;
                    case 3: request.Headers.Add("X-Api-Key", key); break;
                }
                if (request.Method != HttpMethod.Get) request.Content = HostileBody(random, grids);
            }
            using (request)
            {
                var isFeed = i % 25 == 0;
                HttpResponseMessage response;
                try { response = await (isFeed ? feed : http).SendAsync(request); }
                catch (TaskCanceledException)
                {
                    // No answer at all is worse than a 5xx: a handful of these would tie up a server.
                    fiveHundreds.Add($"no answer in 30 s: {request.Method} {request.RequestUri} {request.Content?.Headers.ContentLength} bytes");
                    continue;
                }
                catch (HttpRequestException ex) when (!isFeed)
                {
                    // The server may close the connection on a body it refused part-way (413); that is not a 5xx.
                    output.WriteLine($"{request.Method} {request.RequestUri}: connection closed ({ex.Message})");
                    continue;
                }
                using (response)
                {
                    var status = (int)response.StatusCode;
                    statuses[status] = statuses.GetValueOrDefault(status) + 1;
                    if (isFeed && status != 202) fiveHundreds.Add($"the feed's report {i / 25} got {status}, not 202");
                    if (status >= 500) fiveHundreds.Add($"{status} {request.Method} {request.RequestUri}: {(await response.Content.ReadAsStringAsync())[..Math.Min(300, (int)(response.Content.Headers.ContentLength ?? 300))]}");
                    if (status >= 400 && response.Content.Headers.ContentLength is not 0)
                        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                    Assert.DoesNotContain(key, await response.Content.ReadAsStringAsync());
                }
            }
        }
        output.WriteLine(string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));
        Assert.True(fiveHundreds.Count == 0, string.Join("\n", fiveHundreds.Take(20)));

        using (var health = await http.GetAsync("/healthz")) Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using (var ready = await http.GetAsync("/readyz")) Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        // Nothing lost: every report accepted in between is stored (sent again, each is a duplicate).
        foreach (var chunk in valid.Chunk(500))
        {
            using var again = new HttpRequestMessage(HttpMethod.Post, "/api/v1/reports") { Content = Json(new JsonArray(chunk.Select(r => (JsonNode)r.DeepClone()).ToArray()).ToJsonString()) };
            again.Headers.Add("X-Api-Key", key);
            using var response = await feed.SendAsync(again);
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal(chunk.Length, body["duplicates"]!.GetValue<int>());
        }
    }

    private static HttpContent HostileBody(Random random, string[] grids) => random.Next(9) switch
    {
        0 => Json("{\"reportId\": "),
        1 => Json(new string('[', 100_000) + new string(']', 100_000)),
        2 => Json("{\"userName\": 17, \"password\": [true], \"kinds\": \"report\", \"reason\": {\"a\": 1}, \"historyDays\": \"x\"}"),
        3 => Json("\"" + new string('x', random.Next(1, 3) * 1024 * 1024) + "\""),
        4 => new ByteArrayContent(System.Security.Cryptography.RandomNumberGenerator.GetBytes(random.Next(1, 4096))),
        5 => Json(new JsonObject { ["reportId"] = Pick(random, Nasty), ["gridId"] = Pick(random, Nasty), ["reportedAt"] = Pick(random, Nasty), ["partiesCount"] = 1e300 }.ToJsonString()),
        6 => Json(new JsonArray(Enumerable.Range(0, 1001).Select(_ => (JsonNode)new JsonObject { ["reportId"] = "x" }).ToArray()).ToJsonString()),
        7 => Json(new JsonObject { ["userName"] = Pick(random, Nasty), ["password"] = Pick(random, Nasty), ["totp"] = Pick(random, Nasty), ["reason"] = Pick(random, Nasty), ["name"] = Pick(random, Nasty), ["kinds"] = new JsonArray(Pick(random, Nasty)), ["regionId"] = Pick(random, Nasty), ["role"] = "admin" }.ToJsonString()),
        _ => Json(Reports.Valid(grids[random.Next(grids.Length)]).ToJsonString().Replace("\"land\"", "\"" + Pick(random, Nasty).Replace("\"", "") + "\"")),
    };

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];

    private static string[] CityGridIds() =>
        Warning.Analytics.Simulation.CityGenerator.Generate(Warning.Analytics.Simulation.CityShape.Small, 7).AtLevel(Warning.Analytics.Hierarchy.AreaLevel.Grid).Select(a => a.Id).ToArray();
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Warning.Web.Hardening;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Security;

/// <summary>Issue 13, hardening: security headers and closed CORS, rate limits per key and per user, body limits per endpoint.</summary>
public sealed class HardeningTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    private readonly WarningAppFactory _factory = new();

    [Theory]
    [InlineData("/console/")]
    [InlineData("/screen/")]
    [InlineData("/login")]
    [InlineData("/api/v1/regions")]
    [InlineData("/api/v1/cases/no-such-case")]
    public async Task Pages_and_answers_carry_a_csp_without_inline_script_no_framing_and_nosniff(string path)
    {
        using var response = await _factory.CreateClient(new() { AllowAutoRedirect = false }).GetAsync(path);
        Assert.True((int)response.StatusCode < 500, $"{path}: {(int)response.StatusCode}");
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        var directives = csp.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToDictionary(d => d.Split(' ')[0], d => d);
        Assert.Equal("script-src 'self'", directives["script-src"]);
        Assert.Equal("frame-ancestors 'none'", directives["frame-ancestors"]);
        Assert.Equal("object-src 'none'", directives["object-src"]);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    [Fact]
    public async Task The_api_reference_alone_gets_the_looser_policy_and_still_no_framing()
    {
        using var response = await _factory.CreateClient().GetAsync("/scalar/");
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Equal(SecurityHeaders.ReferencePolicy, csp);
        Assert.Contains("frame-ancestors 'none'", csp);
    }

    [Fact]
    public async Task Cors_is_closed_unless_configured()
    {
        var client = _factory.CreateClient();
        using var get = new HttpRequestMessage(HttpMethod.Get, "/api/v1/regions");
        get.Headers.Add("Origin", "https://evil.example");
        using (var response = await client.SendAsync(get))
            Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/v1/reports");
        preflight.Headers.Add("Origin", "https://evil.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "x-api-key, content-type");
        using (var response = await client.SendAsync(preflight))
        {
            Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
            Assert.False(response.Headers.Contains("Access-Control-Allow-Headers"));
        }
    }

    [Fact]
    public async Task A_user_over_the_rate_gets_429_problem_json_with_retry_after_and_another_caller_does_not()
    {
        var (client, key) = RateLimited("User");
        // The default test caller is the signed-in user "test": its bucket holds three, refilled slowly.
        using var refused = await FirstRefusedAsync(() => client.GetAsync("/api/v1/regions"));
        await AssertTooManyAsync(refused);
        // An API key is a caller of its own, with its own (unlimited here) bucket.
        using var other = new HttpRequestMessage(HttpMethod.Post, "/api/v1/reports") { Content = Json(Reports.Valid(_factory.GridIds[0]).ToJsonString()) };
        other.Headers.Add("X-Api-Key", key);
        using var admitted = await client.SendAsync(other);
        Assert.Equal(HttpStatusCode.Accepted, admitted.StatusCode);
    }

    [Fact]
    public async Task An_api_key_over_its_rate_gets_429_with_retry_after_and_the_users_are_not_held_up()
    {
        var (client, key) = RateLimited("ApiKey");
        var grid = _factory.GridIds[0];
        using var refused = await FirstRefusedAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/reports") { Content = Json(Reports.Valid(grid).ToJsonString()) };
            request.Headers.Add("X-Api-Key", key);
            return client.SendAsync(request);
        });
        await AssertTooManyAsync(refused);
        using var user = await client.GetAsync("/api/v1/regions");
        Assert.Equal(HttpStatusCode.OK, user.StatusCode);
    }

    [Fact]
    public async Task Bodies_over_an_endpoints_limit_get_413_problem_json_from_the_real_server()
    {
        // Kestrel enforces the limits (the in-process test server has none), so this runs the service as a process.
        var data = Path.Combine(Path.GetTempPath(), "warning-limits-" + Guid.NewGuid().ToString("N"));
        await using var service = await ServiceProcess.StartAsync(data);
        using var http = new HttpClient { BaseAddress = new Uri(service.BaseUrl), Timeout = TimeSpan.FromMinutes(2) };

        // Sign-in takes the default limit (64 KiB): a password field of 100 KiB is refused before it is read.
        var huge = JsonSerializer(new { userName = "admin", password = new string('x', 100 * 1024) });
        using (var response = await http.PostAsync("/api/v1/auth/login", Json(huge)))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var body = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
            Assert.Equal("maxBytes", (string)body["errors"]![0]!["rule"]!);
            Assert.DoesNotContain("xxxxxxxx", body.ToJsonString());
        }
        // Just under it, the same endpoint reads the body and answers on its merits.
        var under = JsonSerializer(new { userName = "admin", password = new string('x', 60 * 1024) });
        using (var response = await http.PostAsync("/api/v1/auth/login", Json(under)))
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        // Ingest has a limit of its own (16 MiB): a batch of 200 reports, far over 64 KiB, is taken.
        var grids = Warning.Analytics.Simulation.CityGenerator.Generate(Warning.Analytics.Simulation.CityShape.Small, 7).AtLevel(Warning.Analytics.Hierarchy.AreaLevel.Grid).Select(a => a.Id).ToArray();
        var batch = new JsonArray(Enumerable.Range(0, 200).Select(i =>
        {
            var r = Reports.Valid(grids[i % grids.Length]);
            r["summary"] = new string('纠', 500);
            return (JsonNode)r;
        }).ToArray()).ToJsonString();
        Assert.True(Encoding.UTF8.GetByteCount(batch) > 2 * 64 * 1024);
        using (var response = await http.PostAsync("/api/v1/reports", Json(batch)))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal(200, (int)(await response.Content.ReadFromJsonAsync<JsonNode>())!["accepted"]!);
        }
        using (var health = await http.GetAsync("/healthz")) Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private static async Task<HttpResponseMessage> FirstRefusedAsync(Func<Task<HttpResponseMessage>> send)
    {
        HttpResponseMessage? refused = null;
        // Bursts of concurrent requests until one is over the bucket; a slow machine may refill between sequential ones.
        var seen = await Poll.UntilAsync(async () =>
        {
            var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => send()));
            foreach (var r in responses)
            {
                Assert.True((int)r.StatusCode < 500, $"{(int)r.StatusCode} while flooding");
                if (refused is null && r.StatusCode == HttpStatusCode.TooManyRequests) refused = r;
                else r.Dispose();
            }
            return refused is not null;
        }, Limit);
        Assert.True(seen, "no request was refused with 429");
        return refused!;
    }

    private static async Task AssertTooManyAsync(HttpResponseMessage refused)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var after = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(after);
        Assert.InRange(after.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var body = (await refused.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal(429, (int)body["status"]!);
        Assert.Equal("rateLimit", (string)body["errors"]![0]!["rule"]!);
    }

    /// <summary>
    /// A client of the service with a low rate for one kind of caller (<c>User</c> or <c>ApiKey</c>, as in
    /// Auth:RateLimits) — three at once, then about ten a second — and a provisioned report key.
    /// </summary>
    private (HttpClient Client, string Key) RateLimited(string caller)
    {
        var key = "wk_" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        var app = _factory.WithWebHostBuilder(b =>
        {
            b.UseSetting($"Auth:RateLimits:{caller}PerSecond", "1");
            b.UseSetting($"Auth:RateLimits:{caller}Burst", "3");
            b.UseSetting("Auth:ProvisionedKeys:0:Name", "hardening-test");
            b.UseSetting("Auth:ProvisionedKeys:0:Sha256", hash);
            b.UseSetting("Auth:ProvisionedKeys:0:Kinds:0", "report");
        });
        return (app.CreateClient(), key);
    }

    private static string JsonSerializer(object value) => System.Text.Json.JsonSerializer.Serialize(value);

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    public void Dispose() => _factory.Dispose();
}

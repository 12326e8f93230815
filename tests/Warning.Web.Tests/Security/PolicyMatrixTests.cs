using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Warning.Analytics.Hierarchy;
using Warning.Web.Accounts;
using Warning.Web.Live;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Security;

/// <summary>
/// Role × endpoint × region, generated from the service's own endpoint table (the metadata OpenAPI is built from):
/// every endpoint is called by every role from inside and outside its region, by an anonymous caller and by a revoked
/// key. Who may do what is written here from issue 13, independently of the service's policy table.
/// </summary>
public sealed class PolicyMatrixTests(SecureApp app) : IClassFixture<SecureApp>
{
    private const string Anonymous = "anonymous";
    private const string RevokedKey = "revoked-key";
    private const string Feed = "feed-key";

    private static readonly string[] People = [Roles.Commander, Roles.DutyOfficer, Roles.Analyst, Roles.GridSupervisor, Roles.Auditor, Roles.Operator, Roles.Admin];
    private static readonly string[] Humans = [.. People, Roles.Screen];
    private static readonly string[] AggregateReaders = [Roles.Commander, Roles.DutyOfficer, Roles.Analyst, Roles.GridSupervisor, Roles.Screen];
    private static readonly string[] CaseReaders = [Roles.Commander, Roles.DutyOfficer, Roles.GridSupervisor];
    private static readonly string[] MeetingReaders = [Roles.Analyst, Roles.Commander, Roles.Admin];
    /// <summary>The duty desk: silences, on-call, every alert of the region.</summary>
    private static readonly string[] AlertDesk = [Roles.Commander, Roles.DutyOfficer, Roles.GridSupervisor, Roles.Admin];
    /// <summary>The alert list and hub: the desk, and analysts (who see only their notices: AlertAudienceTests).</summary>
    private static readonly string[] AlertReaders = [.. AlertDesk, Roles.Analyst];
    private static readonly string[] AlertActors = [Roles.Commander, Roles.DutyOfficer];

    /// <summary>One call of an endpoint: who the issue allows, and whether a caller outside the region must get 404.</summary>
    private sealed record Sample(string Method, string Path, string[] Allowed, string? OutOfRegionPath = null, JsonNode? Body = null, bool AnyStatus = false, bool UnavailableOk = false);

    private sealed record World(string RegionA, string GridA, string GridB, string CountyB, string CaseA, string CaseB, string PersonA, string PersonB);

    private static Dictionary<string, Sample> Samples(World w) => new()
    {
        ["GET /healthz"] = new("GET", "/healthz", [Anonymous, RevokedKey, Feed, .. Humans]),
        ["GET /readyz"] = new("GET", "/readyz", [Roles.Operator]),
        ["/metrics"] = new("GET", "/metrics", [Roles.Operator]),
        ["GET /api/v1/cluster"] = new("GET", "/api/v1/cluster", [Roles.Operator]),
        ["GET /"] = new("GET", "/", [Anonymous, RevokedKey, Feed, .. Humans], AnyStatus: true),
        ["GET /login"] = new("GET", "/login", [Anonymous, RevokedKey, Feed, .. Humans]),
        ["GET /screen/"] = new("GET", "/screen/", AggregateReaders),
        ["GET /screen/index.html"] = new("GET", "/screen/index.html", AggregateReaders),
        ["GET /console/"] = new("GET", "/console/", People),
        ["GET /meetings/"] = new("GET", "/meetings/", MeetingReaders),
        ["GET /openapi/{documentName}.json"] = new("GET", "/openapi/v1.json", [Anonymous, RevokedKey, Feed, .. Humans]),
        ["GET /scalar/{documentName?}"] = new("GET", "/scalar/", [Anonymous, RevokedKey, Feed, .. Humans], AnyStatus: true),
        ["GET /api/v1/auth/antiforgery"] = new("GET", "/api/v1/auth/antiforgery", [Anonymous, RevokedKey, Feed, .. Humans]),
        ["POST /api/v1/auth/login"] = new("POST", "/api/v1/auth/login", [Anonymous, RevokedKey, Feed, .. Humans], Body: new JsonObject { ["userName"] = "nobody", ["password"] = "x" }, AnyStatus: true),
        ["POST /api/v1/auth/logout"] = new("POST", "/api/v1/auth/logout", Humans),
        ["GET /api/v1/auth/me"] = new("GET", "/api/v1/auth/me", Humans),
        ["POST /api/v1/auth/password"] = new("POST", "/api/v1/auth/password", People, Body: new JsonObject { ["current"] = "wrong", ["new"] = "Something-Long-123" }),
        ["POST /api/v1/auth/totp"] = new("POST", "/api/v1/auth/totp", People),
        ["POST /api/v1/auth/totp/confirm"] = new("POST", "/api/v1/auth/totp/confirm", People, Body: new JsonObject { ["code"] = "000000" }),
        ["GET /api/v1/users/"] = new("GET", "/api/v1/users", [Roles.Admin]),
        ["POST /api/v1/users/"] = new("POST", "/api/v1/users", [Roles.Admin], Body: new JsonObject { ["userName"] = "x", ["role"] = "nope", ["regionId"] = w.RegionA }),
        ["DELETE /api/v1/users/{userName}"] = new("DELETE", "/api/v1/users/nobody-here", [Roles.Admin]),
        ["GET /api/v1/apikeys/"] = new("GET", "/api/v1/apikeys", [Roles.Admin]),
        ["POST /api/v1/apikeys/"] = new("POST", "/api/v1/apikeys", [Roles.Admin], Body: new JsonObject { ["name"] = "x", ["kinds"] = new JsonArray("nope") }),
        ["DELETE /api/v1/apikeys/{id}"] = new("DELETE", "/api/v1/apikeys/key-none", [Roles.Admin]),
        ["GET /api/v1/screens/"] = new("GET", "/api/v1/screens", [Roles.Admin]),
        ["POST /api/v1/screens/"] = new("POST", "/api/v1/screens", [Roles.Admin], Body: new JsonObject { ["name"] = "" }),
        ["DELETE /api/v1/screens/{id}"] = new("DELETE", "/api/v1/screens/screen-none", [Roles.Admin]),
        ["GET /api/v1/audit/"] = new("GET", "/api/v1/audit", [Roles.Auditor]),
        ["GET /api/v1/audit/verify"] = new("GET", "/api/v1/audit/verify", [Roles.Auditor]),
        ["POST /api/v1/persons/{id}/read"] = new("POST", $"/api/v1/persons/{w.PersonA}/read", [Roles.Commander, Roles.Admin], $"/api/v1/persons/{w.PersonB}/read", new JsonObject { ["reason"] = "matrix test: scope check" }),
        ["POST /api/v1/reports"] = new("POST", "/api/v1/reports", [Feed], Body: Reports.Valid(w.GridA)),
        ["POST /api/v1/incidents"] = new("POST", "/api/v1/incidents", [Feed], Body: Reports.Incident(w.GridA)),
        ["POST /api/v1/screenings"] = new("POST", "/api/v1/screenings", [Feed], Body: new JsonObject
        {
            ["screeningId"] = "s-" + Guid.NewGuid().ToString("N"), ["gridId"] = w.GridA, ["screenedAt"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"),
            ["reporterId"] = "w-1", ["findings"] = "none",
        }),
        ["POST /api/v1/persons"] = new("POST", "/api/v1/persons", [Feed], Body: Person("p-" + Guid.NewGuid().ToString("N")[..12], w.GridA)),
        ["GET /api/v1/regions/"] = new("GET", "/api/v1/regions", AggregateReaders),
        ["GET /api/v1/regions/{id}"] = new("GET", $"/api/v1/regions/{w.RegionA}", AggregateReaders, $"/api/v1/regions/{w.CountyB}"),
        ["GET /api/v1/regions/{id}/children"] = new("GET", $"/api/v1/regions/{w.RegionA}/children", AggregateReaders, $"/api/v1/regions/{w.CountyB}/children"),
        ["GET /api/v1/regions/{id}/trends"] = new("GET", $"/api/v1/regions/{w.RegionA}/trends", AggregateReaders, $"/api/v1/regions/{w.CountyB}/trends", UnavailableOk: true),
        ["GET /api/v1/trends/status"] = new("GET", "/api/v1/trends/status", AggregateReaders),
        ["GET /api/v1/boundaries"] = new("GET", "/api/v1/boundaries", AggregateReaders),
        ["GET /api/v1/spikes"] = new("GET", $"/api/v1/spikes?regionId={w.RegionA}", AggregateReaders, $"/api/v1/spikes?regionId={w.CountyB}"),
        ["GET /api/v1/cases/"] = new("GET", $"/api/v1/cases?regionId={w.RegionA}", CaseReaders, $"/api/v1/cases?regionId={w.CountyB}"),
        ["GET /api/v1/cases/{id}"] = new("GET", $"/api/v1/cases/{w.CaseA}", CaseReaders, $"/api/v1/cases/{w.CaseB}"),
        ["GET /api/v1/risk/model"] = new("GET", "/api/v1/risk/model", [Roles.Commander, Roles.Analyst, Roles.Operator]),
        ["GET /api/v1/risk/models"] = new("GET", "/api/v1/risk/models", [Roles.Commander, Roles.Analyst, Roles.Operator]),
        ["POST /api/v1/risk/model/retrain"] = new("POST", "/api/v1/risk/model/retrain", [Roles.Operator], Body: new JsonObject { ["historyDays"] = 1 }),
        ["GET /api/v1/risk/model/retrain/{jobId}"] = new("GET", "/api/v1/risk/model/retrain/none", [Roles.Commander, Roles.Analyst, Roles.Operator]),
        ["GET /scalar/scalar.js"] = new("GET", "/scalar/scalar.js", [Anonymous, RevokedKey, Feed, .. Humans], AnyStatus: true),
        ["GET /scalar/scalar.aspnetcore.js"] = new("GET", "/scalar/scalar.aspnetcore.js", [Anonymous, RevokedKey, Feed, .. Humans], AnyStatus: true),
        ["GET /scalar/favicon.svg"] = new("GET", "/scalar/favicon.svg", [Anonymous, RevokedKey, Feed, .. Humans], AnyStatus: true),
        ["/hubs/screen/negotiate"] = new("POST", "/hubs/screen/negotiate?negotiateVersion=1", AggregateReaders),
        ["/hubs/screen"] = new("GET", "/hubs/screen", AggregateReaders, AnyStatus: true),
        ["GET /api/v1/alerts/"] = new("GET", $"/api/v1/alerts?regionId={w.RegionA}", AlertReaders, $"/api/v1/alerts?regionId={w.CountyB}"),
        ["GET /api/v1/alerts/{id}"] = new("GET", "/api/v1/alerts/case_high:none", AlertReaders, AnyStatus: true),
        ["POST /api/v1/alerts/{id}/ack"] = new("POST", "/api/v1/alerts/case_high:none/ack", AlertActors, Body: new JsonObject { ["version"] = 1, ["comment"] = "x" }, AnyStatus: true),
        ["POST /api/v1/alerts/{id}/unack"] = new("POST", "/api/v1/alerts/case_high:none/unack", AlertActors, Body: new JsonObject { ["version"] = 1 }, AnyStatus: true),
        ["POST /api/v1/alerts/{id}/assign"] = new("POST", "/api/v1/alerts/case_high:none/assign", AlertActors, Body: new JsonObject { ["version"] = 1 }, AnyStatus: true),
        ["POST /api/v1/alerts/{id}/resolve"] = new("POST", "/api/v1/alerts/case_high:none/resolve", AlertActors, Body: new JsonObject { ["version"] = 1, ["comment"] = "x" }, AnyStatus: true),
        ["POST /api/v1/alerts/{id}/comment"] = new("POST", "/api/v1/alerts/case_high:none/comment", AlertActors, Body: new JsonObject { ["version"] = 1, ["comment"] = "x" }, AnyStatus: true),
        ["GET /api/v1/oncall"] = new("GET", $"/api/v1/oncall?regionId={w.RegionA}", AlertDesk, $"/api/v1/oncall?regionId={w.CountyB}"),
        ["GET /api/v1/silences/"] = new("GET", "/api/v1/silences", AlertDesk),
        // A silence without a reason: refused (400) for those allowed, so the matrix silences nothing.
        ["POST /api/v1/silences/"] = new("POST", "/api/v1/silences", AlertActors, Body: new JsonObject { ["matchers"] = new JsonObject { ["regionId"] = w.RegionA }, ["reason"] = "" }),
        ["DELETE /api/v1/silences/{id}"] = new("DELETE", "/api/v1/silences/silence-none", AlertActors),
        ["/hubs/alerts/negotiate"] = new("POST", "/hubs/alerts/negotiate?negotiateVersion=1", AlertReaders),
        ["/hubs/alerts"] = new("GET", "/hubs/alerts", AlertReaders, AnyStatus: true),
        ["/jobs/{**path}"] = new("GET", "/jobs/jobs/failed", [Roles.Operator]),
        ["GET /api/v1/reports/briefing"] = new("GET", $"/api/v1/reports/briefing?regionId={w.RegionA}&from=2026-01-01&to=2026-01-07&format=csv", MeetingReaders,
            $"/api/v1/reports/briefing?regionId={w.CountyB}&from=2026-01-01&to=2026-01-07&format=csv"),
        ["GET /api/v1/reports/"] = new("GET", $"/api/v1/reports?regionId={w.RegionA}", MeetingReaders, $"/api/v1/reports?regionId={w.CountyB}"),
        ["GET /api/v1/reports/{id}"] = new("GET", "/api/v1/reports/monthly-none-v1", MeetingReaders),
        ["GET /api/v1/reports/jobs/{id}"] = new("GET", "/api/v1/reports/jobs/pack-0", MeetingReaders),
        // Bodies that fail validation: the matrix checks who gets past the policy, not a queue of generations per role.
        ["POST /api/v1/reports/packs"] = new("POST", "/api/v1/reports/packs", MeetingReaders, Body: new JsonObject { ["regionId"] = w.RegionA, ["from"] = "2026-01-07", ["to"] = "2026-01-01" }),
        ["POST /api/v1/reports/bulletins"] = new("POST", "/api/v1/reports/bulletins", MeetingReaders, Body: new JsonObject { ["regionId"] = w.RegionA, ["from"] = "2026-01-01", ["to"] = "2026-01-07", ["category"] = "nope" }),
    };

    [Fact]
    public async Task Every_endpoint_answers_each_role_inside_and_outside_its_region_as_the_issue_says()
    {
        var world = await MakeWorldAsync();
        var samples = Samples(world);
        var endpoints = EndpointTable();

        // Every endpoint declares a policy or says it is open, and every one has a sample here.
        var undeclared = endpoints.Where(e => !e.Declared).Select(e => e.Key).ToArray();
        Assert.True(undeclared.Length == 0, "endpoints without a policy: " + string.Join(", ", undeclared));
        var untested = endpoints.Select(e => e.Key).Where(k => !samples.ContainsKey(k) && !k.StartsWith("GET /orleans", StringComparison.Ordinal)).ToArray();
        Assert.True(untested.Length == 0, "endpoints without a sample in the matrix (add one): " + string.Join(", ", untested));

        var callers = await CallersAsync(world.RegionA);
        var failures = new List<string>();
        var checkedCalls = 0;
        foreach (var endpoint in endpoints)
        {
            var sample = samples.GetValueOrDefault(endpoint.Key) ?? new Sample("GET", "/orleans/", [Roles.Operator], AnyStatus: true);
            foreach (var (who, credential) in callers)
            {
                var allowed = sample.Allowed.Contains(who);
                foreach (var (path, inRegion) in new[] { (sample.Path, true), (sample.OutOfRegionPath, false) })
                {
                    if (path is null) continue;
                    using var response = await app.SendAsync(new HttpMethod(sample.Method), path, credential.Cookie, credential.Key, sample.Body?.DeepClone());
                    var status = (int)response.StatusCode;
                    checkedCalls++;
                    var expected = !allowed
                        ? (credential.Cookie is null && credential.Key is null) || who == RevokedKey ? "401 or a redirect to /login" : "403"
                        : inRegion ? "not 401/403/5xx" : "404";
                    // Trends answer 503 by design while InfluxDB is off (Influx:Enabled), as here.
                    var ok = (status < 500 || sample.UnavailableOk && status == 503) && (!allowed
                        ? (expected == "403" ? status == 403 : status == 401 || (status == 302 && response.Headers.Location!.OriginalString.StartsWith("/login", StringComparison.Ordinal)))
                        : inRegion ? sample.AnyStatus || (status != 401 && status != 403) : status == 404);
                    if (!ok) failures.Add($"{who} {sample.Method} {path}: {status}, expected {expected}");
                }
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {checkedCalls} calls wrong:\n" + string.Join("\n", failures));
    }

    [Fact]
    public void Every_hub_method_is_behind_the_hub_policy()
    {
        foreach (var (hub, expected) in new[] { (typeof(ScreenHub), Policies.Aggregates), (typeof(Warning.Web.Alerts.AlertHub), Policies.AlertsRead) })
        {
            Assert.Equal(expected, hub.GetCustomAttribute<AuthorizeAttribute>()?.Policy);
            foreach (var method in hub.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
                Assert.Null(method.GetCustomAttribute<AllowAnonymousAttribute>());
        }
    }

    private sealed record EndpointRow(string Key, bool Declared);

    private List<EndpointRow> EndpointTable() =>
        app.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().Select(e =>
        {
            var methods = e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods;
            var key = (methods is { Count: > 0 } ? string.Join(",", methods) + " " : "") + "/" + e.RoutePattern.RawText!.TrimStart('/');
            var declared = e.Metadata.GetMetadata<IAllowAnonymous>() is not null || e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy is not null);
            return new EndpointRow(key, declared);
        }).DistinctBy(r => r.Key).ToList();

    private async Task<World> MakeWorldAsync()
    {
        var h = app.Hierarchy;
        var counties = h.ChildrenOf(h.Roots[0].Id);
        var (a, b) = (counties[0].Id, counties[1].Id);
        var gridA = h.Descendants(a, AreaLevel.Grid).First().Id;
        var gridB = h.Descendants(b, AreaLevel.Grid).First().Id;
        var (_, key) = await app.CreateKeyAsync(IngestKinds.All);
        var personA = "p-a-" + Guid.NewGuid().ToString("N")[..8];
        var personB = "p-b-" + Guid.NewGuid().ToString("N")[..8];
        foreach (var (person, grid) in new[] { (personA, gridA), (personB, gridB) })
            using (var r = await app.SendAsync(HttpMethod.Post, "/api/v1/persons", apiKey: key, body: Person(person, grid))) Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        var cases = new List<string>();
        foreach (var grid in new[] { gridA, gridB })
        {
            using var r = await app.SendAsync(HttpMethod.Post, "/api/v1/reports", apiKey: key, body: Reports.Valid(grid));
            Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
            cases.Add(JsonNode.Parse(await r.Content.ReadAsStringAsync())!["items"]![0]!["caseId"]!.GetValue<string>());
        }
        await app.Factory.SettleAsync();
        return new World(a, gridA, gridB, b, cases[0], cases[1], personA, personB);
    }

    private sealed record Credential(string? Cookie, string? Key);

    private async Task<List<(string Who, Credential Credential)>> CallersAsync(string region)
    {
        var callers = new List<(string, Credential)> { (Anonymous, new Credential(null, null)) };
        var (revokedId, revoked) = await app.CreateKeyAsync(IngestKinds.All, region);
        await app.RevokeKeyAsync(revokedId);
        callers.Add((RevokedKey, new Credential(null, revoked)));
        callers.Add((Feed, new Credential(null, (await app.CreateKeyAsync(IngestKinds.All, region)).Key)));
        foreach (var role in People)
            callers.Add((role, new Credential(await app.SignInAsync(await app.CreateAccountAsync(role, region)), null)));
        callers.Add((Roles.Screen, new Credential(await app.ScreenCookieAsync(region), null)));
        return callers;
    }

    private static JsonObject Person(string id, string grid) => new()
    {
        ["personId"] = id, ["gridId"] = grid, ["basis"] = "community_corrections", ["basisReference"] = "矫正决定书 2025-17",
        ["basisReviewedAt"] = DateTimeOffset.UtcNow.AddDays(-10).ToString("O"), ["basisExpiresAt"] = DateTimeOffset.UtcNow.AddDays(200).ToString("O"),
    };
}

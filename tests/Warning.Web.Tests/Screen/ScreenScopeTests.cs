using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Warning.Analytics.Hierarchy;
using Warning.Web.Tests.Security;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Screen;

/// <summary>
/// Issue 13's gap in the screen's hub: every screen got the whole city. A kiosk of one county must get that county's
/// situation, map and spikes only, and a drill-down outside it is refused as if the region did not exist.
/// </summary>
public sealed class ScreenScopeTests(SecureApp app) : IClassFixture<SecureApp>
{
    [Fact]
    public async Task A_county_kiosk_hears_only_its_county_and_cannot_drill_outside_it()
    {
        var h = app.Hierarchy;
        var counties = h.ChildrenOf(h.Roots[0].Id);
        var (mine, other) = (counties[0], counties[1]);
        var cookie = await app.ScreenCookieAsync(mine.Id);
        var heard = new ConcurrentQueue<JsonElement>();

        await using var screen = Connect(cookie, null);
        screen.On<JsonElement>("message", m => heard.Enqueue(m));
        await screen.StartAsync();
        var resume = await screen.InvokeAsync<JsonElement>("ResumeFrom", 0L, 0L);
        Assert.Equal(mine.Id, resume.GetProperty("view").GetString());
        Assert.True(await Poll.UntilAsync(() => heard.Any(m => m.GetProperty("type").GetString() == "situation"), TimeSpan.FromSeconds(30)), "no situation came");

        var situation = heard.First(m => m.GetProperty("type").GetString() == "situation").GetProperty("data");
        Assert.Equal([mine.Id], situation.GetProperty("regions").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Equal(h.ChildrenOf(mine.Id).Select(a => a.Id), situation.GetProperty("areas").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        var villages = await screen.InvokeAsync<JsonElement>("Villages");
        Assert.Equal(h.Descendants(mine.Id, AreaLevel.Village).Select(a => a.Id).Order(StringComparer.Ordinal),
            villages.EnumerateArray().Select(v => v.GetProperty("id").GetString()!).Order(StringComparer.Ordinal));
        // Nothing of the other county in anything pushed or resumed, and no figures of any area outside its own.
        foreach (var message in heard.Append(resume))
        {
            Assert.DoesNotContain($"\"{other.Id}\"", message.GetRawText());
            foreach (var counted in WithCounts(message))
                Assert.True(h.PathToRoot(counted).Any(a => a.Id == mine.Id), $"figures of {counted}, outside {mine.Id}, reached the county's screen");
        }

        // Drill-down: a township of its own county is fine; the other county is not there at all.
        var township = h.ChildrenOf(mine.Id)[0];
        await using (var inside = Connect(cookie, township.Id))
        {
            await inside.StartAsync();
            Assert.Equal(township.Id, (await inside.InvokeAsync<JsonElement>("ResumeFrom", 0L, 0L)).GetProperty("view").GetString());
        }
        await using (var outside = Connect(cookie, other.Id))
            await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                await outside.StartAsync();
                await outside.InvokeAsync<JsonElement>("ResumeFrom", 0L, 0L);
            });

        using (var page = await app.SendAsync(HttpMethod.Get, $"/screen/?regionId={township.Id}", cookie)) Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        using (var page = await app.SendAsync(HttpMethod.Get, $"/screen/?regionId={other.Id}", cookie)) Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        using (var page = await app.SendAsync(HttpMethod.Get, "/screen/?regionId=no-such-region", cookie)) Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        using (var map = await app.SendAsync(HttpMethod.Get, $"/api/v1/boundaries?level=village&regionId={other.Id}", cookie)) Assert.Equal(HttpStatusCode.NotFound, map.StatusCode);
        using (var map = await app.SendAsync(HttpMethod.Get, $"/api/v1/boundaries?level=village&regionId={township.Id}", cookie))
        {
            Assert.Equal(HttpStatusCode.OK, map.StatusCode);
            var ids = JsonDocument.Parse(await map.Content.ReadAsStringAsync()).RootElement.GetProperty("features").EnumerateArray()
                .Select(f => f.GetProperty("properties").GetProperty("id").GetString()).ToHashSet();
            Assert.Equal(new[] { township.Id }.Concat(h.ChildrenOf(township.Id).Select(v => v.Id)).ToHashSet(), ids);
        }
    }

    private static IEnumerable<string> WithCounts(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object when (e.TryGetProperty("counts", out _) || e.TryGetProperty("highRisk", out _)) && e.TryGetProperty("id", out var id) => [id.GetString()!],
        JsonValueKind.Object => e.EnumerateObject().SelectMany(p => WithCounts(p.Value)),
        JsonValueKind.Array => e.EnumerateArray().SelectMany(WithCounts),
        _ => [],
    };

    private HubConnection Connect(string cookie, string? regionId)
    {
        var server = app.Factory.Server;
        var url = new Uri(server.BaseAddress, "/hubs/screen" + (regionId is null ? "" : "?regionId=" + Uri.EscapeDataString(regionId)));
        return new HubConnectionBuilder().WithUrl(url, o =>
        {
            o.HttpMessageHandlerFactory = _ => server.CreateHandler();
            o.Transports = HttpTransportType.LongPolling;
            o.Headers["Cookie"] = cookie;
        }).Build();
    }
}

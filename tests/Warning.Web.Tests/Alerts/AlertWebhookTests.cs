using Microsoft.AspNetCore.Hosting;
using Warning.Analytics.Hierarchy;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Alerts;

/// <summary>Issue 14: the per-area webhook is signed (checked by a real receiver), retried, recorded, and a failed delivery is an alert.</summary>
public sealed class AlertWebhookTests : IAsyncDisposable
{
    private readonly WebhookReceiver _good = new();
    private readonly WebhookReceiver _down = new(failing: true);
    private readonly AlertApp _app;
    private readonly string _countyA, _countyB;

    public AlertWebhookTests()
    {
        var counties = new WarningAppFactory().Hierarchy.AtLevel(AreaLevel.County).Select(c => c.Id).Order(StringComparer.Ordinal).ToArray();
        (_countyA, _countyB) = (counties[0], counties[1]);
        _app = new AlertApp(b =>
        {
            b.UseSetting($"Alerts:Webhooks:{_countyA}:Url", _good.Url);
            b.UseSetting($"Alerts:Webhooks:{_countyA}:Secret", _good.Secret);
            b.UseSetting($"Alerts:Webhooks:{_countyB}:Url", _down.Url);
            b.UseSetting($"Alerts:Webhooks:{_countyB}:Secret", _down.Secret);
            b.UseSetting("Alerts:WebhookRetries", "2");
            b.UseSetting("Alerts:WebhookRetryDelay", "00:00:00.100");
        });
    }

    private string GridIn(string county) => _app.Factory.GridIds.First(g => _app.Factory.Hierarchy.PathToRoot(g).Any(a => a.Id == county));

    [Fact]
    public async Task A_signed_webhook_reaches_the_areas_gateway_and_a_gateway_that_keeps_failing_raises_its_own_alert()
    {
        var client = _app.Client();
        var caseA = await AlertApp.ViolentCaseAsync(client, GridIn(_countyA));
        var idA = $"case_high:{caseA}";
        Assert.True(await Poll.UntilAsync(() => _good.Received.Any(r => r.Body.GetProperty("alert").GetProperty("id").GetString() == idA), AlertApp.Limit), "the gateway got nothing");
        Assert.All(_good.Received, r => Assert.True(r.Verified, "a post's signature did not verify"));
        var post = _good.Received.First(r => r.Body.GetProperty("alert").GetProperty("id").GetString() == idA).Body;
        Assert.Equal("raised", post.GetProperty("step").GetString());
        // Only the county's own alerts go to its gateway.
        Assert.All(_good.Received, r => Assert.Contains(_countyA, _app.Factory.Hierarchy.PathToRoot(r.Body.GetProperty("alert").GetProperty("regionId").GetString()!).Select(a => a.Id)));
        Assert.True(await Poll.UntilAsync(async () => (await AlertApp.AlertAsync(client, idA))!["timeline"]!.AsArray()
            .Any(e => (string?)e!["kind"] == "notification" && ((string?)e["detail"])!.Contains("delivered")), AlertApp.Limit), "the delivery is not in the timeline");

        var caseB = await AlertApp.ViolentCaseAsync(client, GridIn(_countyB));
        var failed = $"delivery_failed:webhook-{_countyB}";
        Assert.True(await Poll.UntilAsync(async () => await AlertApp.AlertAsync(client, failed) is not null, AlertApp.Limit), "a failing gateway raised no alert");
        var timeline = (await AlertApp.AlertAsync(client, $"case_high:{caseB}"))!["timeline"]!.AsArray();
        // The first attempt and two retries, each recorded.
        Assert.Equal(3, timeline.Count(e => (string?)e!["kind"] == "notification" && ((string?)e["detail"])!.StartsWith($"webhook {_countyB} attempt", StringComparison.Ordinal)));
        Assert.True(_down.Attempts >= 3);
    }

    public async ValueTask DisposeAsync()
    {
        _app.Dispose();
        await _good.DisposeAsync();
        await _down.DisposeAsync();
    }
}

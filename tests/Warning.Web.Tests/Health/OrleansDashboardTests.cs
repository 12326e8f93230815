using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Health;

/// <summary>The Orleans dashboard is served for operators at <c>/orleans</c>, and it sees this node's grains.</summary>
public sealed class OrleansDashboardTests(WarningAppFactory app) : IClassFixture<WarningAppFactory>
{
    [Fact]
    public async Task The_dashboard_page_is_served_at_orleans()
    {
        var client = app.CreateClient();
        using var page = await client.GetAsync("/orleans/");
        Assert.True(page.IsSuccessStatusCode, $"{(int)page.StatusCode}");
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Orleans", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }
}

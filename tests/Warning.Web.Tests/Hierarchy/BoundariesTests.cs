using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Hierarchy;

/// <summary>
/// <c>GET /api/v1/boundaries</c> at every level, for the simulated city and for a boundaries file: the response body
/// refuses synchronous writes, which once made every level a 500.
/// </summary>
public sealed class BoundariesTests : IClassFixture<WarningAppFactory>
{
    private readonly WarningAppFactory _app;

    public BoundariesTests(WarningAppFactory app) => _app = app;

    public static TheoryData<string> Levels => new() { "city", "county", "township", "village", "grid" };

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task Simulated_city_serves_every_level(string level) =>
        await AssertServesLevel(_app, _app.Hierarchy, level);

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task Loaded_file_serves_every_level(string level)
    {
        var file = Path.Combine(_app.DataDirectory, "boundaries-" + Guid.NewGuid().ToString("N") + ".geojson");
        Directory.CreateDirectory(_app.DataDirectory);
        // A different city from the default one, so the test tells a loaded file from the simulated fallback.
        var source = CityGenerator.Generate(CityShape.Small, seed: 11);
        await using (var stream = File.Create(file)) GeoJsonHierarchy.Write(source, stream);

        await using var fromFile = _app.WithWebHostBuilder(b => b.UseSetting("Hierarchy:File", file)
            .UseSetting("Storage:DataDirectory", Path.Combine(_app.DataDirectory, "file-" + Guid.NewGuid().ToString("N"))));
        await AssertServesLevel(fromFile, source, level);
    }

    [Fact]
    public async Task Unknown_level_is_a_problem_naming_the_field()
    {
        var response = await _app.CreateClient().GetAsync("/api/v1/boundaries?level=planet");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("level", await response.Content.ReadAsStringAsync());
    }

    private static async Task AssertServesLevel<T>(WebApplicationFactory<T> app, AreaHierarchy expected, string level) where T : class
    {
        var response = await app.CreateClient().GetAsync($"/api/v1/boundaries?level={level}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/geo+json", response.Content.Headers.ContentType?.MediaType);

        Assert.True(Area.TryParseLevel(level, out var wanted));
        var want = expected.All.Where(a => a.Level <= wanted).Select(a => a.Id).Order(StringComparer.Ordinal).ToArray();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
        Assert.Equal("FeatureCollection", document.RootElement.GetProperty("type").GetString());
        var got = document.RootElement.GetProperty("features").EnumerateArray()
            .Select(f => f.GetProperty("properties").GetProperty("id").GetString()!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(want, got);

        // The file round-trips: what the screen draws is what was loaded.
        var served = GeoJsonHierarchy.Load(new MemoryStream(Encoding(document)));
        Assert.All(served.All, a => Assert.Equal(expected[a.Id].Name, a.Name));
    }

    private static byte[] Encoding(JsonDocument document) => JsonSerializer.SerializeToUtf8Bytes(document.RootElement);
}

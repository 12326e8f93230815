using System.Text;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;

namespace Warning.Analytics.Tests.Hierarchy;

public class GeoJsonHierarchyTests
{
    private const string Square = """{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}""";

    private static string Feature(string props, string geometry = Square) => $$"""{"type":"Feature","properties":{{{props}}},"geometry":{{geometry}}}""";

    private static string Collection(params string[] features) => $$"""{"type":"FeatureCollection","features":[{{string.Join(",", features)}}]}""";

    private static readonly string City = Feature("""
        "id":"621100","name":"定西市","level":"city","parentId":null
        """);

    private static AreaHierarchy Load(string json) => GeoJsonHierarchy.Load(new MemoryStream(Encoding.UTF8.GetBytes(json)));

    private static HierarchyException Fails(string json) => Assert.Throws<HierarchyException>(() => Load(json));

    [Fact]
    public void Loads_a_small_tree_and_keeps_the_level_word()
    {
        var h = Load(Collection(City,
            Feature("\"id\":\"621102\",\"name\":\"安定区\",\"level\":\"district\",\"parentId\":\"621100\""),
            Feature("\"id\":\"621102001\",\"name\":\"中华路街道\",\"level\":\"street\",\"parentId\":\"621102\"")));
        Assert.Equal(3, h.Count);
        Assert.Equal(AreaLevel.County, h["621102"].Level);
        Assert.Equal("district", h["621102"].Kind);
        Assert.Equal("street", h["621102001"].Kind);
        Assert.Equal("621100", Assert.Single(h.Roots).Id);
    }

    [Fact]
    public void Not_a_feature_collection_is_rejected()
    {
        var e = Fails("""{"type":"Feature","properties":{}}""");
        Assert.Contains("FeatureCollection", e.Message);
    }

    [Fact]
    public void Missing_id_names_the_feature_by_index()
    {
        var e = Fails(Collection(City, Feature("\"name\":\"无名\",\"level\":\"county\",\"parentId\":\"621100\"")));
        Assert.Equal("#1", e.FeatureId);
    }

    [Fact]
    public void Non_string_id_names_the_feature_by_index()
    {
        var e = Fails(Collection(City, Feature("\"id\":621102,\"name\":\"安定区\",\"level\":\"county\",\"parentId\":\"621100\"")));
        Assert.Equal("#1", e.FeatureId);
    }

    [Fact]
    public void Missing_name_is_rejected()
    {
        var e = Fails(Collection(City, Feature("\"id\":\"621102\",\"level\":\"county\",\"parentId\":\"621100\"")));
        Assert.Equal("621102", e.FeatureId);
        Assert.Contains("name", e.Message);
    }

    [Fact]
    public void Unknown_level_is_rejected()
    {
        var e = Fails(Collection(City, Feature("\"id\":\"621102\",\"name\":\"安定区\",\"level\":\"province\",\"parentId\":\"621100\"")));
        Assert.Equal("621102", e.FeatureId);
        Assert.Contains("province", e.Message);
    }

    [Fact]
    public void Unknown_parent_is_rejected()
    {
        var e = Fails(Collection(City, Feature("\"id\":\"621102\",\"name\":\"安定区\",\"level\":\"county\",\"parentId\":\"999999\"")));
        Assert.Equal("621102", e.FeatureId);
        Assert.Contains("999999", e.Message);
    }

    [Fact]
    public void Duplicate_id_is_rejected()
    {
        var county = Feature("\"id\":\"621102\",\"name\":\"安定区\",\"level\":\"county\",\"parentId\":\"621100\"");
        var e = Fails(Collection(City, county, county));
        Assert.Equal("621102", e.FeatureId);
        Assert.Contains("duplicate", e.Message);
    }

    [Fact]
    public void Wrong_level_order_is_rejected()
    {
        var e = Fails(Collection(City,
            Feature("\"id\":\"621102001\",\"name\":\"巉口镇\",\"level\":\"town\",\"parentId\":\"621100\""),
            Feature("\"id\":\"621102\",\"name\":\"安定区\",\"level\":\"county\",\"parentId\":\"621102001\"")));
        Assert.Equal("621102", e.FeatureId);
        Assert.Contains("cannot sit under", e.Message);
    }

    [Fact]
    public void Cycle_is_reported_as_a_cycle()
    {
        var e = Fails(Collection(City,
            Feature("\"id\":\"a\",\"name\":\"甲\",\"level\":\"county\",\"parentId\":\"b\""),
            Feature("\"id\":\"b\",\"name\":\"乙\",\"level\":\"town\",\"parentId\":\"a\"")));
        Assert.Equal("a", e.FeatureId);
        Assert.Contains("cycle", e.Message);
    }

    [Fact]
    public void Self_parent_is_a_cycle()
    {
        var e = Fails(Collection(City, Feature("\"id\":\"a\",\"name\":\"甲\",\"level\":\"county\",\"parentId\":\"a\"")));
        Assert.Equal("a", e.FeatureId);
        Assert.Contains("cycle", e.Message);
    }

    [Fact]
    public void Bad_geometry_names_the_feature()
    {
        var e = Fails(Collection(City, Feature("\"id\":\"621102\",\"name\":\"安定区\",\"level\":\"county\",\"parentId\":\"621100\"",
            """{"type":"Polygon","coordinates":[[[0,0],[1,"x"],[1,1],[0,0]]]}""")));
        Assert.Equal("621102", e.FeatureId);
    }

    [Fact]
    public void Multipolygon_keeps_the_largest_part()
    {
        var h = Load(Collection(Feature("\"id\":\"c\",\"name\":\"市\",\"level\":\"city\"",
            """{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,1],[0,0]]],[[[5,5],[8,5],[8,8],[5,8],[5,5]]]]}""")));
        Assert.Equal(9, PlanarGeometry.PolygonArea(h["c"].Polygon!), 9);
        Assert.Null(h["c"].ParentId);
    }

    [Fact]
    public void Round_trip_preserves_every_area()
    {
        var original = CityGenerator.Generate(CityShape.Small, 7);
        using var buffer = new MemoryStream();
        GeoJsonHierarchy.Write(original, buffer);
        buffer.Position = 0;
        var loaded = GeoJsonHierarchy.Load(buffer);

        Assert.Equal(original.Count, loaded.Count);
        foreach (var a in original.All)
        {
            var b = loaded[a.Id];
            Assert.Equal((a.Name, a.Level, a.Kind, a.ParentId), (b.Name, b.Level, b.Kind, b.ParentId));
            Assert.Equal(a.Polygon!.Length, b.Polygon!.Length);
            for (var r = 0; r < a.Polygon.Length; r++)
            for (var p = 0; p < a.Polygon[r].Length; p++)
                Assert.Equal(a.Polygon[r][p], b.Polygon[r][p]);
        }
    }

    [Fact]
    public void Round_trip_through_a_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"warning-geojson-{Guid.NewGuid():N}.geojson");
        try
        {
            using (var file = File.Create(path)) GeoJsonHierarchy.Write(CityGenerator.Generate(CityShape.Small, 1), file);
            Assert.Equal(CityGenerator.Generate(CityShape.Small, 1).Count, GeoJsonHierarchy.LoadFile(path).Count);
        }
        finally { File.Delete(path); }
    }
}

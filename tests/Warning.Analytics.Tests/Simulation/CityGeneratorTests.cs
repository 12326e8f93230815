using System.Diagnostics;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;

namespace Warning.Analytics.Tests.Simulation;

public class CityGeneratorTests
{
    [Fact]
    public void Dingxi_has_the_counts_of_seed_000()
    {
        var city = CityGenerator.Generate(CityShape.Dingxi, 42);
        var townships = city.AtLevel(AreaLevel.Township).ToList();
        var villages = city.AtLevel(AreaLevel.Village).ToList();

        Assert.Equal("621100", Assert.Single(city.Roots).Id);
        Assert.Equal(7, city.AtLevel(AreaLevel.County).Count());
        Assert.Equal(3, townships.Count(t => t.Kind == "street"));
        Assert.Equal(119, townships.Count(t => t.Kind != "street"));
        Assert.InRange(villages.Count(v => v.Kind == "village"), 1750, 2050);
        Assert.InRange(villages.Count(v => v.Kind == "community"), 70, 105);
        Assert.InRange(city.AtLevel(AreaLevel.Grid).Count(), 7000, 9000);
        Assert.Contains(city.ChildrenOf("621100"), c => c.Name == "岷县" && c.Id == "621126");
    }

    [Fact]
    public void Ids_look_like_admin_codes()
    {
        var city = CityGenerator.Generate(CityShape.Dingxi, 42);
        foreach (var a in city.All)
        {
            switch (a.Level)
            {
                case AreaLevel.County: Assert.Matches("^[0-9]{6}$", a.Id); break;
                case AreaLevel.Township: Assert.Matches("^[0-9]{9}$", a.Id); Assert.StartsWith(a.ParentId!, a.Id); break;
                case AreaLevel.Village: Assert.Matches("^[0-9]{12}$", a.Id); Assert.StartsWith(a.ParentId!, a.Id); break;
                case AreaLevel.Grid: Assert.Matches("^[0-9]{12}-g[0-9]{2}$", a.Id); Assert.StartsWith(a.ParentId!, a.Id); break;
            }
            Assert.False(string.IsNullOrWhiteSpace(a.Name));
        }
    }

    [Fact]
    public void Names_are_unique_among_siblings_and_end_in_the_right_word()
    {
        var city = CityGenerator.Generate(CityShape.Dingxi, 3);
        foreach (var parent in city.All.Where(a => a.Level < AreaLevel.Grid))
        {
            var names = city.ChildrenOf(parent.Id).Select(c => c.Name).ToList();
            Assert.Equal(names.Count, names.Distinct().Count());
        }
        Assert.All(city.AtLevel(AreaLevel.Village), v => Assert.EndsWith(v.Kind == "community" ? "社区" : "村", v.Name));
        Assert.All(city.AtLevel(AreaLevel.Township), t => Assert.Matches("(镇|乡|街道)$", t.Name));
    }

    [Fact]
    public void Children_tile_their_parent()
    {
        var city = CityGenerator.Generate(CityShape.Dingxi, 42);
        foreach (var parent in city.All)
        {
            var children = city.ChildrenOf(parent.Id);
            if (children.Count == 0) continue;
            var parentArea = PlanarGeometry.PolygonArea(parent.Polygon!);
            var sum = children.Sum(c => PlanarGeometry.PolygonArea(c.Polygon!));
            Assert.True(Math.Abs(sum - parentArea) <= 1e-9 * parentArea, $"{parent.Id}: {sum} vs {parentArea}");

            var (px0, py0, px1, py1) = PlanarGeometry.BoundingBox(parent.Polygon!);
            const double eps = 1e-12;
            foreach (var c in children)
            {
                var (x0, y0, x1, y1) = PlanarGeometry.BoundingBox(c.Polygon!);
                Assert.True(x0 >= px0 - eps && y0 >= py0 - eps && x1 <= px1 + eps && y1 <= py1 + eps, c.Id);
                Assert.True(x1 > x0 && y1 > y0, c.Id);
            }
        }
        Assert.All(city.All, a => Assert.NotNull(a.Polygon));
    }

    [Fact]
    public void Same_seed_same_city_other_seed_other_city()
    {
        static string Fingerprint(AreaHierarchy h) => string.Join("|", h.All.OrderBy(a => a.Id, StringComparer.Ordinal).Select(a => a.Id + a.Name + a.Polygon![0][2][0]));
        Assert.Equal(Fingerprint(CityGenerator.Generate(CityShape.Dingxi, 5)), Fingerprint(CityGenerator.Generate(CityShape.Dingxi, 5)));
        Assert.NotEqual(Fingerprint(CityGenerator.Generate(CityShape.Dingxi, 5)), Fingerprint(CityGenerator.Generate(CityShape.Dingxi, 6)));
    }

    [Fact]
    public void Small_city_is_small()
    {
        var city = CityGenerator.Generate(CityShape.Small, 1);
        Assert.Equal(2, city.AtLevel(AreaLevel.County).Count());
        Assert.Equal(4, city.AtLevel(AreaLevel.Township).Count());
        Assert.InRange(city.AtLevel(AreaLevel.Village).Count(), 15, 25);
    }

    [Fact]
    public void Generating_dingxi_is_fast()
    {
        CityGenerator.Generate(CityShape.Dingxi, 1);
        var watch = Stopwatch.StartNew();
        CityGenerator.Generate(CityShape.Dingxi, 2);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), watch.Elapsed.ToString());
    }
}

using Warning.Analytics.Hierarchy;

namespace Warning.Analytics.Tests.Hierarchy;

public class AreaHierarchyTests
{
    [Fact]
    public void Missing_id_is_named_by_position()
    {
        var e = Assert.Throws<HierarchyException>(() => new AreaHierarchy(
        [
            new Area("621100", "定西市", AreaLevel.City, "city", null, null),
            new Area(" ", "无名", AreaLevel.County, "county", "621100", null),
        ]));
        Assert.Equal("#1", e.FeatureId);
    }
}

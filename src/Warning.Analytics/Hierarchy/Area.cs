namespace Warning.Analytics.Hierarchy;

/// <summary>Administrative level, top down. A community (社区) is a village-level area; a street (街道) a township-level one.</summary>
public enum AreaLevel { City = 0, County = 1, Township = 2, Village = 3, Grid = 4 }

/// <summary>One area of the hierarchy. <paramref name="Kind"/> keeps the loaded level word (e.g. "community", "street") for display.</summary>
/// <param name="Polygon">Outer ring then holes, each a list of [longitude, latitude]; null when the source had no geometry.</param>
public sealed record Area(string Id, string Name, AreaLevel Level, string Kind, string? ParentId, double[][][]? Polygon)
{
    public static bool TryParseLevel(string? word, out AreaLevel level)
    {
        switch (word?.Trim().ToLowerInvariant())
        {
            case "city": level = AreaLevel.City; return true;
            case "county": case "district": level = AreaLevel.County; return true;
            case "township": case "town": case "street": level = AreaLevel.Township; return true;
            case "village": case "community": level = AreaLevel.Village; return true;
            case "grid": level = AreaLevel.Grid; return true;
            default: level = default; return false;
        }
    }

    public static string LevelName(AreaLevel level) => level.ToString().ToLowerInvariant();
}

namespace Warning.Analytics.Hierarchy;

/// <summary>
/// Plain planar arithmetic on [longitude, latitude] rings. Good enough to pick the main part of a MultiPolygon or to
/// check that children tile a parent; not a substitute for geodesic areas.
/// </summary>
public static class PlanarGeometry
{
    /// <summary>Signed shoelace area of a ring (positive when counter-clockwise).</summary>
    public static double RingArea(double[][] ring)
    {
        var sum = 0.0;
        for (var i = 0; i < ring.Length - 1; i++)
            sum += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
        return sum / 2;
    }

    /// <summary>Outer ring minus holes.</summary>
    public static double PolygonArea(double[][][] polygon)
    {
        var area = Math.Abs(RingArea(polygon[0]));
        for (var i = 1; i < polygon.Length; i++) area -= Math.Abs(RingArea(polygon[i]));
        return area;
    }

    public static (double MinLon, double MinLat, double MaxLon, double MaxLat) BoundingBox(double[][][] polygon)
    {
        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
        foreach (var p in polygon[0])
        {
            minX = Math.Min(minX, p[0]); maxX = Math.Max(maxX, p[0]);
            minY = Math.Min(minY, p[1]); maxY = Math.Max(maxY, p[1]);
        }
        return (minX, minY, maxX, maxY);
    }

    /// <summary>A closed counter-clockwise rectangle ring, as GeoJSON wants it.</summary>
    public static double[][][] Rectangle(double minLon, double minLat, double maxLon, double maxLat) =>
    [
        [[minLon, minLat], [maxLon, minLat], [maxLon, maxLat], [minLon, maxLat], [minLon, minLat]],
    ];
}

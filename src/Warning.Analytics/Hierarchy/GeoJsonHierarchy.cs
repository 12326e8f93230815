using System.Text.Json;

namespace Warning.Analytics.Hierarchy;

/// <summary>
/// Reads and writes the administrative boundaries as a GeoJSON FeatureCollection. Each feature's properties carry
/// <c>id</c>, <c>name</c>, <c>level</c> (the original word is kept as <see cref="Area.Kind"/>) and <c>parentId</c>
/// (null or absent for roots). A MultiPolygon keeps only its largest polygon: the screens draw one shape per area.
/// </summary>
public static class GeoJsonHierarchy
{
    public static AreaHierarchy LoadFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Load(stream);
    }

    public static AreaHierarchy Load(Stream geoJson)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(geoJson, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new HierarchyException("(file)", $"not valid JSON: {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "FeatureCollection")
                throw new HierarchyException("(file)", "not a GeoJSON FeatureCollection");
            if (!root.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Array)
                throw new HierarchyException("(file)", "FeatureCollection has no 'features' array");

            var areas = new List<Area>(features.GetArrayLength());
            var index = 0;
            foreach (var feature in features.EnumerateArray())
            {
                areas.Add(ReadFeature(feature, index));
                index++;
            }

            CheckConsistency(areas);
            return new AreaHierarchy(areas);
        }
    }

    public static void Write(AreaHierarchy hierarchy, Stream output)
    {
        using var writer = NewWriter(output);
        WriteStart(writer);
        foreach (var area in InFileOrder(hierarchy)) WriteFeature(writer, area);
        WriteEnd(writer);
    }

    /// <summary>
    /// The same document, flushed asynchronously as it grows: an HTTP response body refuses synchronous writes, and a
    /// province's villages do not need to sit in memory whole.
    /// </summary>
    public static async Task WriteAsync(AreaHierarchy hierarchy, Stream output, CancellationToken cancellationToken = default)
    {
        await using var writer = NewWriter(output);
        WriteStart(writer);
        foreach (var area in InFileOrder(hierarchy))
        {
            WriteFeature(writer, area);
            if (writer.BytesPending > 64 * 1024) await writer.FlushAsync(cancellationToken);
        }
        WriteEnd(writer);
        await writer.FlushAsync(cancellationToken);
    }

    private static Utf8JsonWriter NewWriter(Stream output) =>
        new(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    // Parents before children, ids in order: a stable file that diffs well and reads top down.
    private static IEnumerable<Area> InFileOrder(AreaHierarchy hierarchy) =>
        hierarchy.All.OrderBy(a => a.Level).ThenBy(a => a.Id, StringComparer.Ordinal);

    private static void WriteStart(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "FeatureCollection");
        writer.WriteStartArray("features");
    }

    private static void WriteEnd(Utf8JsonWriter writer)
    {
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteFeature(Utf8JsonWriter writer, Area area)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "Feature");
        writer.WriteStartObject("properties");
        writer.WriteString("id", area.Id);
        writer.WriteString("name", area.Name);
        writer.WriteString("level", area.Kind);
        if (area.ParentId is null) writer.WriteNull("parentId");
        else writer.WriteString("parentId", area.ParentId);
        writer.WriteEndObject();
        if (area.Polygon is null) writer.WriteNull("geometry");
        else
        {
            writer.WriteStartObject("geometry");
            writer.WriteString("type", "Polygon");
            writer.WriteStartArray("coordinates");
            foreach (var ring in area.Polygon)
            {
                writer.WriteStartArray();
                foreach (var point in ring)
                {
                    writer.WriteStartArray();
                    foreach (var c in point) writer.WriteNumberValue(c);
                    writer.WriteEndArray();
                }
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    private static Area ReadFeature(JsonElement feature, int index)
    {
        var label = "#" + index;
        if (feature.ValueKind != JsonValueKind.Object) throw new HierarchyException(label, "is not a JSON object");
        if (!feature.TryGetProperty("properties", out var props) || props.ValueKind != JsonValueKind.Object)
            throw new HierarchyException(label, "has no 'properties' object");

        if (!props.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(idElement.GetString()))
            throw new HierarchyException(label, "property 'id' is missing or not a non-empty string");
        var id = idElement.GetString()!;

        if (!props.TryGetProperty("name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(nameElement.GetString()))
            throw new HierarchyException(id, "property 'name' is missing or empty");

        if (!props.TryGetProperty("level", out var levelElement) || levelElement.ValueKind != JsonValueKind.String)
            throw new HierarchyException(id, "property 'level' is missing");
        var kind = levelElement.GetString()!;
        if (!Area.TryParseLevel(kind, out var level))
            throw new HierarchyException(id, $"unknown level '{kind}' (expected city, county, district, township, town, street, village, community or grid)");

        string? parentId = null;
        if (props.TryGetProperty("parentId", out var parentElement))
        {
            if (parentElement.ValueKind == JsonValueKind.String) parentId = parentElement.GetString();
            else if (parentElement.ValueKind != JsonValueKind.Null) throw new HierarchyException(id, "property 'parentId' must be a string or null");
        }

        var polygon = feature.TryGetProperty("geometry", out var geometry) ? ReadGeometry(geometry, id) : null;
        return new Area(id, nameElement.GetString()!, level, kind, parentId, polygon);
    }

    private static double[][][]? ReadGeometry(JsonElement geometry, string id)
    {
        if (geometry.ValueKind == JsonValueKind.Null) return null;
        if (geometry.ValueKind != JsonValueKind.Object || !geometry.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            throw new HierarchyException(id, "geometry has no type");
        if (!geometry.TryGetProperty("coordinates", out var coordinates) || coordinates.ValueKind != JsonValueKind.Array)
            throw new HierarchyException(id, "geometry has no coordinates array");

        switch (type.GetString())
        {
            case "Polygon":
                return ReadPolygon(coordinates, id);
            case "MultiPolygon":
                double[][][]? largest = null;
                var largestArea = -1.0;
                foreach (var polygonElement in coordinates.EnumerateArray())
                {
                    var polygon = ReadPolygon(polygonElement, id);
                    var area = polygon.Length == 0 ? 0 : Math.Abs(PlanarGeometry.RingArea(polygon[0]));
                    if (area > largestArea) (largest, largestArea) = (polygon, area);
                }
                return largest ?? throw new HierarchyException(id, "MultiPolygon has no polygons");
            default:
                throw new HierarchyException(id, $"geometry type '{type.GetString()}' is not Polygon or MultiPolygon");
        }
    }

    private static double[][][] ReadPolygon(JsonElement rings, string id)
    {
        if (rings.ValueKind != JsonValueKind.Array) throw new HierarchyException(id, "polygon coordinates are not an array of rings");
        var result = new List<double[][]>();
        foreach (var ringElement in rings.EnumerateArray())
        {
            if (ringElement.ValueKind != JsonValueKind.Array) throw new HierarchyException(id, "polygon ring is not an array of positions");
            var ring = new List<double[]>();
            foreach (var position in ringElement.EnumerateArray())
            {
                if (position.ValueKind != JsonValueKind.Array || position.GetArrayLength() < 2)
                    throw new HierarchyException(id, "position is not an array of at least two numbers");
                var point = new double[position.GetArrayLength()];
                var i = 0;
                foreach (var c in position.EnumerateArray())
                {
                    if (c.ValueKind != JsonValueKind.Number) throw new HierarchyException(id, "position holds a non-number");
                    point[i++] = c.GetDouble();
                }
                ring.Add(point);
            }
            if (ring.Count < 4) throw new HierarchyException(id, "polygon ring has fewer than four positions");
            result.Add(ring.ToArray());
        }
        if (result.Count == 0) throw new HierarchyException(id, "polygon has no rings");
        return result.ToArray();
    }

    /// <summary>
    /// Checks in the order a person fixing the file would want: duplicates, dangling parents, cycles, then level order,
    /// so that a cycle is reported as a cycle and not as the level mismatch it also causes.
    /// </summary>
    private static void CheckConsistency(IReadOnlyList<Area> areas)
    {
        var byId = new Dictionary<string, Area>(areas.Count, StringComparer.Ordinal);
        foreach (var area in areas)
            if (!byId.TryAdd(area.Id, area)) throw new HierarchyException(area.Id, "duplicate id");

        foreach (var area in areas)
            if (area.ParentId is not null && !byId.ContainsKey(area.ParentId))
                throw new HierarchyException(area.Id, $"unknown parent '{area.ParentId}'");

        // Walk up from each area; more steps than there are areas means we are going round in circles.
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var area in areas)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var current = area;
            while (current.ParentId is not null && !known.Contains(current.Id))
            {
                if (!seen.Add(current.Id)) throw new HierarchyException(area.Id, $"parent chain forms a cycle through '{current.Id}'");
                current = byId[current.ParentId];
            }
            known.UnionWith(seen);
        }

        foreach (var area in areas)
        {
            if (area.ParentId is null) continue;
            var parent = byId[area.ParentId];
            if (parent.Level >= area.Level)
                throw new HierarchyException(area.Id, $"level '{area.Kind}' cannot sit under '{parent.Id}' of level '{parent.Kind}'");
        }
    }
}

namespace Warning.Analytics.Simulation;

/// <summary>One county (县/区) of a generated city: how many townships and streets it has and the name of its seat town.</summary>
/// <param name="SeatTown">The county-seat town (城关镇) that also holds communities; null when streets play that role.</param>
public sealed record CountyShape(string Id, string Name, int Townships, int Streets, string? SeatTown);

/// <summary>
/// The outline the generator fills in: real county names and codes, counts drawn within ranges, a bounding box to tile.
/// Ranges are inclusive.
/// </summary>
public sealed record CityShape(
    string Id,
    string Name,
    IReadOnlyList<CountyShape> Counties,
    (int Min, int Max) VillagesPerTownship,
    (int Min, int Max) VillagesPerSeatTown,
    (int Min, int Max) CommunitiesPerStreet,
    (int Min, int Max) CommunitiesPerSeatTown,
    (int Min, int Max) GridsPerVillage,
    (double MinLon, double MinLat, double MaxLon, double MaxLat) Bounds)
{
    /// <summary>
    /// Shaped like seed 000's 定西市 (621100): 119 townships and 3 streets, about 1,888 villages and 87 communities
    /// (the counts of its mediation committees), 3–5 grids each.
    /// </summary>
    public static CityShape Dingxi { get; } = new(
        "621100", "定西市",
        [
            new("621102", "安定区", 18, 3, null),
            new("621121", "通渭县", 18, 0, "平襄镇"),
            new("621122", "陇西县", 17, 0, "巩昌镇"),
            new("621123", "渭源县", 16, 0, "清源镇"),
            new("621124", "临洮县", 18, 0, "洮阳镇"),
            new("621125", "漳县", 13, 0, "武阳镇"),
            new("621126", "岷县", 19, 0, "岷阳镇"),
        ],
        VillagesPerTownship: (12, 20),
        VillagesPerSeatTown: (8, 14),
        CommunitiesPerStreet: (7, 9),
        CommunitiesPerSeatTown: (9, 12),
        GridsPerVillage: (3, 5),
        Bounds: (103.5, 34.2, 105.2, 35.9));

    /// <summary>A toy city for tests: 2 counties, 4 townships (one a seat town with communities), about 20 villages.</summary>
    public static CityShape Small { get; } = new(
        "629900", "样例市",
        [
            new("629901", "东川县", 2, 0, "城关镇"),
            new("629902", "西岭县", 2, 0, null),
        ],
        VillagesPerTownship: (4, 6),
        VillagesPerSeatTown: (3, 4),
        CommunitiesPerStreet: (2, 2),
        CommunitiesPerSeatTown: (2, 2),
        GridsPerVillage: (2, 3),
        Bounds: (104.0, 35.0, 104.4, 35.4));

    /// <summary>
    /// A province for the one-node scale benchmark (DESIGN.md "Scale"): 100 counties of 10 townships of 16 villages,
    /// 16,000 villages, 5–8 grids each (about 104,000 grids). Names are placeholders; only the sizes matter.
    /// </summary>
    public static CityShape Province { get; } = new(
        "620000", "模拟省",
        Enumerable.Range(1, 100).Select(c => new CountyShape($"62{c:0000}", $"第{c}县", 10, 0, null)).ToArray(),
        VillagesPerTownship: (16, 16),
        VillagesPerSeatTown: (16, 16),
        CommunitiesPerStreet: (0, 0),
        CommunitiesPerSeatTown: (0, 0),
        GridsPerVillage: (5, 8),
        Bounds: (92.0, 32.0, 108.0, 43.0));

    /// <summary>Dingxi, Small or Province, by name (case-insensitive); Dingxi for anything else.</summary>
    public static CityShape Named(string? name) => name?.ToLowerInvariant() switch
    {
        "small" => Small,
        "province" => Province,
        _ => Dingxi,
    };
}

using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;
using Microsoft.Extensions.Logging;

namespace Warning.Silo.Areas;

public sealed class HierarchyOptions
{
    public const string Section = "Hierarchy";

    /// <summary>A GeoJSON FeatureCollection of the deployment's boundaries; when empty the simulated city is loaded.</summary>
    public string? File { get; set; }

    /// <summary>Seed of the simulated city used when no file is configured.</summary>
    public int SimulatedCitySeed { get; set; } = 7;

    /// <summary>"Dingxi" (the seed-000 city, ~8,000 grids), "Small" (a toy city for tests) or "Province" (~104,000 grids, the scale benchmark).</summary>
    public string SimulatedCityShape { get; set; } = "Dingxi";

    public static AreaHierarchy Load(HierarchyOptions options, ILogger logger)
    {
        if (!string.IsNullOrWhiteSpace(options.File))
        {
            var loaded = GeoJsonHierarchy.LoadFile(options.File);
            logger.LogInformation("Loaded {Areas} areas from {File}", loaded.Count, options.File);
            return loaded;
        }
        var shape = CityShape.Named(options.SimulatedCityShape);
        var city = CityGenerator.Generate(shape, options.SimulatedCitySeed);
        logger.LogInformation("No boundaries file configured: loaded the simulated city ({Areas} areas, seed {Seed})", city.Count, options.SimulatedCitySeed);
        return city;
    }
}

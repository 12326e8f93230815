using Microsoft.Extensions.Logging;
using Warning.Analytics.Risk;

namespace Warning.Silo.Risk;

/// <summary>
/// Versioned model files under <c>{data}/models/{version}/</c> (model.zip, an ML.NET model file; info.json with the
/// data range, features, calibration and test metrics) and the one live model. Publishing writes a new folder under a
/// temporary name, reads it back, renames it into place (atomic on one file system), then swaps the live reference: a
/// request that already took the old model finishes with it, the next one gets the new model, so no request is dropped
/// or sees half a model.
/// <para>
/// A model file that is missing, truncated or corrupt never takes the live model away: loading it fails, the reason is
/// logged, and whatever scored before (a model, or the points score) goes on scoring.
/// </para>
/// </summary>
public sealed class RiskModelRegistry
{
    private readonly ILogger<RiskModelRegistry> _logger;
    private RiskModel? _live;

    public RiskModelRegistry(string directory, ILogger<RiskModelRegistry> logger)
    {
        Directory = Path.GetFullPath(directory);
        _logger = logger;
    }

    public string Directory { get; }

    /// <summary>The model scoring now, or null while none was trained (the points score is used then).</summary>
    public RiskModel? Live => Volatile.Read(ref _live);

    /// <summary>
    /// Makes the newest loadable model on disk live, if it is newer than the live one; a folder that cannot be loaded is
    /// logged with the reason and passed over. Never goes back to a version older than the live model's: a damaged newer
    /// folder leaves the live model in place. Returns the live model afterwards (null: the points score).
    /// </summary>
    public RiskModel? LoadLatest()
    {
        var live = Live;
        if (!System.IO.Directory.Exists(Directory)) return live;
        foreach (var folder in System.IO.Directory.GetDirectories(Directory).Where(d => !Path.GetFileName(d).StartsWith('.')).OrderByDescending(d => d, StringComparer.Ordinal))
        {
            if (live is not null && string.CompareOrdinal(Path.GetFileName(folder), live.Info.Version) <= 0) break;
            try
            {
                var model = RiskModel.Load(folder);
                Swap(model);
                _logger.LogInformation("Loaded risk model {Version} ({Trees}) trained {TrainedAt} (test AUC {Auc})", model.Info.Version, model.Info.Trees,
                    model.Info.TrainedAt, model.Info.TestMetrics.GetValueOrDefault("auc"));
                return model;
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Risk model folder {Folder} cannot be loaded ({Reason}); {Live} stays live", folder, ex.Message,
                    live?.Info.Version ?? PointsScore.ModelName);
            }
        }
        return live;
    }

    /// <summary>
    /// Saves <paramref name="model"/> as a new version and makes it live. The saved files are read back before the rename:
    /// the live model is then exactly what a restart would load, and a file that cannot be read back (a full disk, a
    /// failed write) is removed and reported to the caller while the live model stays.
    /// </summary>
    public RiskModel Publish(RiskModel model)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var final = Path.Combine(Directory, model.Info.Version);
        var temporary = Path.Combine(Directory, "." + model.Info.Version + ".tmp");
        if (System.IO.Directory.Exists(temporary)) System.IO.Directory.Delete(temporary, recursive: true);
        RiskModel saved;
        try
        {
            model.Save(temporary);
            saved = RiskModel.Load(temporary);
        }
        catch (Exception ex)
        {
            try { System.IO.Directory.Delete(temporary, recursive: true); } catch (IOException) { }
            _logger.LogError(ex, "Risk model {Version} was not published: its saved files could not be read back; {Live} stays live",
                model.Info.Version, Live?.Info.Version ?? PointsScore.ModelName);
            throw new InvalidDataException($"risk model {model.Info.Version} could not be read back after saving: {ex.Message}", ex);
        }
        System.IO.Directory.Move(temporary, final);
        Swap(saved);
        _logger.LogInformation("Published risk model {Version} ({Trees}): {TrainRows} training rows, test metrics {@Metrics}", saved.Info.Version,
            saved.Info.Trees, saved.Info.TrainRows, saved.Info.TestMetrics);
        return saved;
    }

    /// <summary>Makes <paramref name="model"/> live without disposing the old one: requests in flight may still use it.</summary>
    public void Swap(RiskModel? model) => Interlocked.Exchange(ref _live, model);

    public IReadOnlyList<RiskModelInfo> List()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        var list = new List<RiskModelInfo>();
        foreach (var folder in System.IO.Directory.GetDirectories(Directory).Where(d => !Path.GetFileName(d).StartsWith('.')))
        {
            try
            {
                var info = System.Text.Json.JsonSerializer.Deserialize<RiskModelInfo>(File.ReadAllText(Path.Combine(folder, "info.json")),
                    new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));
                if (info is not null) list.Add(info);
            }
            catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException)
            {
                _logger.LogWarning(ex, "Unreadable risk model info in {Folder}", folder);
            }
        }
        return list.OrderByDescending(i => i.Version, StringComparer.Ordinal).ToList();
    }
}

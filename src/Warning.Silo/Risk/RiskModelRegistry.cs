using Microsoft.Extensions.Logging;
using Warning.Analytics.Risk;

namespace Warning.Silo.Risk;

/// <summary>
/// Versioned model files under <c>{data}/models/{version}/</c> (model.json from XGBoost, info.json with the data
/// range, features, calibration and test metrics) and the one live model. Publishing writes a new folder under a
/// temporary name, renames it into place (atomic on one file system), then swaps the live reference: a request that
/// already took the old model finishes with it (its native memory is freed by the safe handle once nothing refers to it),
/// the next one gets the new model, so no request is dropped or sees half a model.
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

    /// <summary>Loads the newest valid model on disk, if any; a damaged folder is logged and skipped.</summary>
    public RiskModel? LoadLatest()
    {
        if (!System.IO.Directory.Exists(Directory)) return null;
        foreach (var folder in System.IO.Directory.GetDirectories(Directory).Where(d => !Path.GetFileName(d).StartsWith('.')).OrderByDescending(d => d, StringComparer.Ordinal))
        {
            try
            {
                var model = RiskModel.Load(folder);
                Swap(model);
                _logger.LogInformation("Loaded risk model {Version} trained {TrainedAt} (test AUC {Auc})", model.Info.Version, model.Info.TrainedAt,
                    model.Info.TestMetrics.GetValueOrDefault("auc"));
                return model;
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Skipping risk model folder {Folder}", folder);
            }
        }
        return null;
    }

    public void Publish(RiskModel model)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var final = Path.Combine(Directory, model.Info.Version);
        var temporary = Path.Combine(Directory, "." + model.Info.Version + ".tmp");
        if (System.IO.Directory.Exists(temporary)) System.IO.Directory.Delete(temporary, recursive: true);
        model.Save(temporary);
        System.IO.Directory.Move(temporary, final);
        Swap(model);
        _logger.LogInformation("Published risk model {Version}: {TrainRows} training rows, test metrics {@Metrics}", model.Info.Version, model.Info.TrainRows, model.Info.TestMetrics);
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


using System.Text.Json;
using System.Text.Json.Serialization;
using Orleans;

namespace Warning.Analytics.Risk;

[JsonConverter(typeof(SnakeCaseEnumConverter<RiskLevel>))]
[GenerateSerializer, Alias("RiskLevel")]
public enum RiskLevel { Low, Medium, High, Critical }

/// <summary>Writes and reads an enum by its snake_case name ("low", "succeeded"), whatever serializer options are in use.</summary>
public sealed class SnakeCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where TEnum : struct, Enum;

/// <summary>
/// A case's escalation risk: the probability of harm (violence, injury, a criminal case, self-harm) within 30 days,
/// its level, which model produced it, and the contributions an officer reads as "why". It informs a person; nothing
/// acts on it automatically.
/// </summary>
[GenerateSerializer, Immutable, Alias("RiskScore")]
public sealed record RiskScore(
    double Probability,
    RiskLevel Level,
    string Model,
    DateTimeOffset AsOf,
    IReadOnlyList<RiskContribution> Contributions);

/// <param name="Value">Signed contribution on the (calibrated) log-odds scale for a model, in points for the points score.</param>
/// <param name="Zh">The officer's sentence in Chinese, e.g. "威胁使用暴力 +0.21".</param>
[GenerateSerializer, Immutable, Alias("RiskContribution")]
public sealed record RiskContribution(string Feature, double Value, string Zh, string En);

/// <summary>Probability at or above which a case is at a level; bound from <c>Risk:Thresholds</c>.</summary>
public sealed class RiskThresholds
{
    public double Medium { get; set; } = 0.05;
    public double High { get; set; } = 0.15;
    public double Critical { get; set; } = 0.30;

    public RiskLevel LevelOf(double p) => p >= Critical ? RiskLevel.Critical : p >= High ? RiskLevel.High : p >= Medium ? RiskLevel.Medium : RiskLevel.Low;

    public bool IsValid => 0 < Medium && Medium < High && High < Critical && Critical <= 1;

    public void Validate()
    {
        if (!IsValid)
            throw new InvalidOperationException($"Risk:Thresholds must satisfy 0 < Medium < High < Critical <= 1 (got {Medium}, {High}, {Critical})");
    }
}

public sealed class RiskOptions
{
    public const string Section = "Risk";

    public RiskThresholds Thresholds { get; set; } = new();

    public DeadlineOptions Deadlines { get; set; } = new();

    /// <summary>Contributions returned with each score.</summary>
    public int TopContributions { get; set; } = 5;

    /// <summary>Folder for versioned model files; relative paths are under the storage data directory.</summary>
    public string ModelDirectory { get; set; } = "models";

    /// <summary>Cron (Hangfire's: five fields, or six with seconds first; the deployment's civil time) for the scheduled retraining; empty disables it. Default: 03:30 every night.</summary>
    public string RetrainCron { get; set; } = "30 3 * * *";

    /// <summary>
    /// Cron (Hangfire's, the deployment's civil time) for re-scoring every open case as time passes; empty disables
    /// it. Default 00:30, after the 00:15 spike scan, so the new day's deadlines and spike state are in the scores.
    /// </summary>
    public string RescoreCron { get; set; } = "30 0 * * *";

    /// <summary>Also re-score shortly after start-up, in case the service was down at the scheduled time.</summary>
    public bool RescoreOnStartup { get; set; } = true;

    /// <summary>
    /// Where retraining takes its history from: <c>simulator</c> (the simulated city's own history, for the demo and a
    /// deployment on the simulated city) or <c>ingest-log</c> (the reports, incidents and key individuals this service has
    /// accepted: the production path; labels are the harm incidents later linked to a case).
    /// </summary>
    public string TrainingSource { get; set; } = "simulator";

    public bool TrainsFromLog => string.Equals(TrainingSource, "ingest-log", StringComparison.OrdinalIgnoreCase);

    /// <summary>Simulator seed and city for the training history (the service runs on the simulated city; see Risk/README.md).</summary>
    public int TrainingSeed { get; set; } = 42;

    public string TrainingCity { get; set; } = "dingxi";

    public int TrainingHistoryDays { get; set; } = 730;

    public int BoostingRounds { get; set; } = 200;

    /// <summary>Share of simulated cases replayed for training (a full Dingxi two years is ~500,000 cases; a sample keeps memory and time modest).</summary>
    public double TrainingCaseSample { get; set; } = 0.3;
}

internal static class ContributionText
{
    public static string Signed(double v) => v >= 0 ? $"+{v:F2}" : $"−{-v:F2}";
}

using Warning.Analytics.Risk;
using Warning.Analytics.Simulation;

namespace Warning.Analytics.Tests.Risk;

/// <summary>
/// Two years of the small city's history (seed 11, busier than default so the test period holds a few hundred harms),
/// replayed into scoring rows once, and the evaluation of a model trained on it.
/// </summary>
public sealed class RiskFixture
{
    public static readonly DateTimeOffset From = new(2023, 1, 1, 0, 0, 0, TimeSpan.FromHours(8));

    /// <summary>The data the evaluation runs on, as <c>risk-auc-baseline.json</c> names it: a baseline is for this data only.</summary>
    public const string Data = "small city seed 11, simulator seed 11, 2.0 cases per village per day, 730 days from 2023-01-01, split 60/20/20";

    public RiskFixture()
    {
        var city = CityGenerator.Generate(CityShape.Small, 11);
        Set = HistoryReplay.Build(city, new SimulatorOptions { Seed = 11, CasesPerVillagePerDay = 2.0 }, From, From.AddDays(730));
        Options = new TrainingOptions { Rounds = 120, Threads = 2 };
        Evaluation = RiskEvaluation.Run(Set, Options, topK: 10);
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "risk-evaluation-small.txt"), Evaluation.ToText());
        Model = RiskTrainer.Train(Set, Options with { Rounds = 60 }, "test-model", "simulator seed 11").Model;
    }

    public TrainingSet Set { get; }
    public TrainingOptions Options { get; }
    public EvaluationReport Evaluation { get; }
    public RiskModel Model { get; }
}

[CollectionDefinition(Name)]
public sealed class RiskCollection : ICollectionFixture<RiskFixture>
{
    public const string Name = "risk";
}

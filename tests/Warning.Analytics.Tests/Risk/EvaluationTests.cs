using Warning.Analytics.Risk;
using Xunit.Abstractions;

namespace Warning.Analytics.Tests.Risk;

[Collection(RiskCollection.Name)]
public sealed class EvaluationTests(RiskFixture risk, ITestOutputHelper output)
{
    [Fact]
    public void Model_beats_base_rate_and_points_and_approaches_the_oracle()
    {
        var e = risk.Evaluation;
        output.WriteLine(e.ToText());
        var model = e.Of("model");
        var oracle = e.Of("oracle");
        var baseRate = e.Of("base_rate");
        Assert.True(e.TestHarms >= 150, $"test period needs enough harms, got {e.TestHarms}");
        Assert.Equal(0.5, baseRate.Auc, 6);
        Assert.True(model.Auc > 0.65, $"model AUC {model.Auc:F4}");
        Assert.True(model.Brier < baseRate.Brier, $"model Brier {model.Brier:F5} vs base rate {baseRate.Brier:F5}");
        Assert.True(model.Aupr > 2 * baseRate.Aupr, $"model AUPR {model.Aupr:F4} vs base rate {baseRate.Aupr:F4}");
        // The oracle is the truth as of the scoring time; this small city trains on a tenth of Dingxi's rows, so the bound
        // is looser than the aim (measured on Dingxi by bench/risk-eval.sh) and catches a regression.
        Assert.True(oracle.Auc - model.Auc < 0.06, $"AUC gap to oracle {oracle.Auc - model.Auc:F4}");
        Assert.True(model.Brier < oracle.Brier * 1.05, $"Brier {model.Brier:F5} vs oracle {oracle.Brier:F5}");
    }

    [Fact]
    public void As_of_oracle_is_calibrated_and_knows_more_than_the_formula_on_the_past_and_less_than_the_future()
    {
        var e = risk.Evaluation;
        var bins = e.Calibration["oracle"];
        var total = bins.Sum(b => b.Count);
        var predicted = bins.Where(b => b.Count > 0).Sum(b => b.MeanPredicted * b.Count) / total;
        var observed = bins.Where(b => b.Count > 0).Sum(b => b.Observed * b.Count) / total;
        // Three standard errors of the observed rate: the oracle's probabilities are the truth, so only chance separates them.
        var se = Math.Sqrt(observed * (1 - observed) / total);
        Assert.True(Math.Abs(predicted - observed) < 3 * se, $"oracle mean {predicted:F4} vs observed {observed:F4} (se {se:F4})");
        // A handful of rare courses may defeat the redraw budget; many would mean the replay's seen course and
        // CaseCourse.SeenAt count different things.
        Assert.True(e.AsOfOracle.Unmatched <= e.AsOfOracle.Rows / 1000, $"{e.AsOfOracle.Unmatched} of {e.AsOfOracle.Rows} rows matched no redrawn course");
        Assert.True(e.AsOfOracle.MeanKept >= 300, $"kept {e.AsOfOracle.MeanKept:F0} courses per row");
        Assert.True(e.Of("oracle").Auc > e.Of("hazard_asof").Auc, "the truth as of the moment beats the formula that ignores the future");
        Assert.True(e.Of("oracle").Auc < e.Of("full_course").Auc, "knowing the future beats any as-of probability");
    }

    [Fact]
    public void Calibrated_probabilities_match_observed_rates_where_data_is_dense()
    {
        var bins = risk.Evaluation.Calibration["model"];
        foreach (var bin in bins.Where(b => b.Count >= 1000))
            Assert.True(Math.Abs(bin.MeanPredicted - bin.Observed) < 0.03, $"bin [{bin.From},{bin.To}): predicted {bin.MeanPredicted:F4}, observed {bin.Observed:F4}");
        var total = bins.Sum(b => b.Count);
        var predicted = bins.Where(b => b.Count > 0).Sum(b => b.MeanPredicted * b.Count) / total;
        var observed = bins.Where(b => b.Count > 0).Sum(b => b.Observed * b.Count) / total;
        Assert.True(Math.Abs(predicted - observed) < 0.015, $"mean predicted {predicted:F4} vs observed {observed:F4}");
    }

    [Fact]
    public void Report_has_every_slice()
    {
        var e = risk.Evaluation;
        Assert.Equal(["model", "points", "base_rate", "hazard_asof", "oracle", "full_course"], e.Scorers.Select(s => s.Scorer).ToArray());
        Assert.Equal(2, e.Counties.Count);
        Assert.True(e.Categories.Count >= 10);
        Assert.Equal(e.TestRows, e.Counties.Sum(c => c.Rows));
        Assert.Equal(e.TestRows, e.Categories.Sum(c => c.Rows));
        Assert.Contains("calibration (model)", e.ToText());
    }

    [Fact]
    public void Time_split_keeps_every_training_label_before_the_calibration_period()
    {
        var split = RiskTrainer.Split(risk.Set, risk.Options);
        Assert.All(split.Train, i => Assert.True(risk.Set.Rows[i].At.AddDays(30) <= split.CalibrationFrom));
        Assert.All(split.Calibration, i => Assert.True(risk.Set.Rows[i].At >= split.CalibrationFrom && risk.Set.Rows[i].At.AddDays(30) <= split.TestFrom));
        Assert.All(split.Test, i => Assert.True(risk.Set.Rows[i].At >= split.TestFrom));
        Assert.True(split.Train.Length > split.Test.Length);
    }

    [Fact]
    public void Saved_model_carries_its_data_range_features_and_metrics()
    {
        var dir = Path.Combine(Path.GetTempPath(), "risk-model-" + Guid.NewGuid().ToString("N"));
        try
        {
            risk.Model.Save(dir);
            using var loaded = RiskModel.Load(dir);
            Assert.Equal(risk.Model.Info.Version, loaded.Info.Version);
            Assert.Equal(RiskFeatures.All.Select(f => f.Name), loaded.Info.Features);
            Assert.Equal(risk.Set.From, loaded.Info.DataFrom);
            Assert.True(loaded.Info.TestMetrics["auc"] > 0.6);
            var rows = risk.Set.Features.AsSpan(0, RiskFeatures.Count * 20).ToArray();
            Assert.Equal(risk.Model.Probabilities(rows, 20), loaded.Probabilities(rows, 20));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

using System.Text.Json;
using Warning.Analytics.Risk;
using Xunit.Abstractions;

namespace Warning.Analytics.Tests.Risk;

/// <summary>
/// Guards against a quieter regression than a broken model: a trainer, setting or feature change that still passes the
/// absolute bounds of <see cref="EvaluationTests"/> but ranks cases worse than the model it replaces, on the same data.
/// </summary>
[Collection(RiskCollection.Name)]
public sealed class ModelQualityTests(RiskFixture risk, ITestOutputHelper output)
{
    private sealed record Baseline(string Data, string Trees, double TestAuc);

    public const double AllowedAucLoss = 0.01;

    [Fact]
    public void Test_auc_falls_no_more_than_a_hundredth_below_the_accepted_models_on_the_same_data()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "Risk", "risk-auc-baseline.json");
        var baseline = JsonSerializer.Deserialize<Baseline>(File.ReadAllText(file), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        // A baseline measured on other data says nothing about this model: changing the fixture means re-measuring.
        Assert.Equal(RiskFixture.Data, baseline.Data);
        var auc = risk.Evaluation.Of("model").Auc;
        output.WriteLine($"test AUC {auc:F4} ({risk.Evaluation.Trees}); accepted baseline {baseline.TestAuc:F4} ({baseline.Trees})");
        Assert.True(auc >= baseline.TestAuc - AllowedAucLoss,
            $"test AUC {auc:F4} ({risk.Evaluation.Trees}) is more than {AllowedAucLoss} below the accepted model's {baseline.TestAuc:F4} ({baseline.Trees}) on the same data");
    }
}

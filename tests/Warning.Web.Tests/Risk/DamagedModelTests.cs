using System.Text.Json;
using Warning.Analytics.Risk;
using Warning.Analytics.Risk.MlNet;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Risk;

/// <summary>The whole service over a model folder whose file is damaged: reports are taken and scored, never a 5xx.</summary>
public sealed class DamagedModelTests : IDisposable
{
    private readonly WarningAppFactory _app = new();

    [Fact]
    public async Task A_service_whose_only_model_file_is_corrupt_scores_with_points_and_takes_reports()
    {
        // A sound info.json beside a model.zip that is a zip's first bytes and then noise: what a disk fault leaves.
        var folder = Path.Combine(_app.DataDirectory, "models", "risk-20990101000000");
        Directory.CreateDirectory(folder);
        var info = new RiskModelInfo("risk-20990101000000", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(-365), DateTimeOffset.UtcNow,
            DateTimeOffset.UtcNow.AddDays(-146), DateTimeOffset.UtcNow.AddDays(-73), RiskFeatures.All.Select(f => f.Name).ToArray(),
            new PlattCalibration(0.5, 0), 1000, 300, 300, new Dictionary<string, double> { ["auc"] = 0.7 }, "test", "mlnet-lightgbm");
        File.WriteAllText(Path.Combine(folder, "info.json"), JsonSerializer.Serialize(info, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
        var noise = new byte[4096];
        new Random(3).NextBytes(noise);
        "PK\u0003\u0004"u8.CopyTo(noise);
        File.WriteAllBytes(Path.Combine(folder, MlNetTrees.FileName), noise);

        var client = _app.CreateClient();
        var grid = _app.GridIds[3];
        var posted = await Reports.PostAsync(client, "/api/v1/reports", Reports.Valid(grid));
        Assert.Equal(202, posted.Status);
        await _app.SettleAsync();
        var caseId = (string)posted.Body!["items"]![0]!["caseId"]!;
        var view = await Reports.GetAsync(client, $"/api/v1/cases/{caseId}");
        Assert.Equal(PointsScore.ModelName, (string?)view["score"]!["model"]);
        Assert.Equal(PointsScore.ModelName, (string?)(await Reports.GetAsync(client, "/api/v1/risk/model"))["model"]);
        using var list = await client.GetAsync($"/api/v1/cases?regionId={grid}");
        Assert.Equal(200, (int)list.StatusCode);
    }

    public void Dispose() => _app.Dispose();
}

using Microsoft.Extensions.Options;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Reports;
using Warning.Silo.TimeSeries;
using static Warning.Analytics.TimeSeries.InfluxQL;

namespace Warning.Web.Meetings;

/// <summary>
/// Open cases at high or critical risk at the end of a period that did not end now, read from the area's risk snapshots
/// (<c>area_risk.high_risk_cases</c>, written every minute by the time-series writer). The grains keep each case's latest
/// score only, so the previous period and the same period last year can only come from what the series recorded then;
/// without InfluxDB, or with no snapshot near the end, they stay unknown.
/// </summary>
public sealed class RiskFiguresReader(InfluxClient influx, AreaHierarchy hierarchy, IOptions<InfluxOptions> options, ILogger<RiskFiguresReader> logger)
{
    /// <summary>How far before a period's end the last snapshot may lie: a node down for a day still leaves the day before.</summary>
    private static readonly TimeSpan Lookback = TimeSpan.FromDays(3);

    /// <summary>The pack with the high-risk counts the grains could not give filled from the series, where it has them.</summary>
    public async Task<BriefingPack> FillAsync(BriefingPack pack, string areaId, BriefingPeriod period, DateTimeOffset now, CancellationToken ct)
    {
        // A special bulletin is about one category; the series does not count risk by category.
        if (!influx.Enabled || pack.Focus is not null) return pack;
        var area = hierarchy[areaId];
        async Task<KeyFigures> Fill(KeyFigures f, BriefingPeriod p) =>
            f.HighRisk is not null || p.End > now ? f : f with { HighRisk = await HighRiskAtAsync(area, p.End, now, ct) };
        return pack with
        {
            Current = await Fill(pack.Current, period),
            Previous = await Fill(pack.Previous, period.Previous),
            LastYear = await Fill(pack.LastYear, period.LastYear),
        };
    }

    private async Task<int?> HighRiskAtAsync(Area area, DateTimeOffset end, DateTimeOffset now, CancellationToken ct)
    {
        var policy = end - Lookback >= now - options.Value.RawRetention ? InfluxSchema.Raw : InfluxSchema.Daily;
        var query = $"SELECT last(\"high_risk_cases\") FROM {Identifier(policy)}.{Identifier(Warning.Analytics.TimeSeries.Measurements.AreaRisk)} " +
                    $"WHERE \"area\" = {Literal(area.Id)} AND time >= {TimeLiteral(end - Lookback)} AND time < {TimeLiteral(end)}";
        try
        {
            var series = await influx.QueryAsync(query, ct: ct);
            return series.Count > 0 && series[0].Values.Count > 0 && series[0].Values[0][1].ValueKind == System.Text.Json.JsonValueKind.Number
                ? (int)series[0].Values[0][1].GetDouble() : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InfluxQueryException && !ct.IsCancellationRequested)
        {
            logger.LogWarning("High-risk count of {AreaId} at {End} unavailable: {Error}", area.Id, end, ex.Message);
            return null;
        }
    }
}

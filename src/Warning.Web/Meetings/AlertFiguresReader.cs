using Microsoft.Extensions.Options;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Reports;
using Warning.Silo.TimeSeries;
using Warning.Web.Trends;
using static Warning.Analytics.TimeSeries.InfluxQL;

namespace Warning.Web.Meetings;

/// <summary>
/// A pack's alert numbers, read from the alert lifecycle points (<c>alerts</c>, written by the alert feed). Raw points
/// carry each acknowledgement's escalation level and time to acknowledge; past their retention only the daily rollup's
/// counts are left, so the in-time share and the median are unknown there rather than guessed.
/// </summary>
public sealed class AlertFiguresReader(InfluxClient influx, AreaHierarchy hierarchy, IOptions<InfluxOptions> options, ILogger<AlertFiguresReader> logger)
{
    public async Task<AlertComparison?> ReadAsync(string areaId, BriefingPeriod period, DateTimeOffset now, CancellationToken ct)
    {
        if (!influx.Enabled) return null;
        var area = hierarchy[areaId];
        return new AlertComparison(await ReadAsync(area, period, now, ct), await ReadAsync(area, period.Previous, now, ct), await ReadAsync(area, period.LastYear, now, ct));
    }

    private async Task<AlertFigures?> ReadAsync(Area area, BriefingPeriod period, DateTimeOffset now, CancellationToken ct)
    {
        var raw = period.Start >= now - options.Value.RawRetention;
        var from = $"{Identifier(raw ? InfluxSchema.Raw : InfluxSchema.Daily)}.{Identifier(Warning.Analytics.TimeSeries.Measurements.Alerts)}";
        var where = $"time >= {TimeLiteral(period.Start)} AND time < {TimeLiteral(period.End)}{AreaFilter(area)}";
        try
        {
            var byEvent = (await influx.QueryAsync($"SELECT sum(\"count\") FROM {from} WHERE {where} GROUP BY \"event\"", ct: ct))
                .Where(s => s.Values.Count > 0)
                .ToDictionary(s => s.Tags.GetValueOrDefault("event") ?? "", s => (int)Number(s.Values[0][1]), StringComparer.Ordinal);
            int? inTime = null;
            double? median = null;
            if (raw)
            {
                var acks = await influx.QueryAsync(
                    $"SELECT count(\"ack_seconds\") FROM {from} WHERE {where} AND \"event\" = 'acknowledged' AND \"escalation_level\" = 0", ct: ct);
                inTime = acks.Count > 0 && acks[0].Values.Count > 0 ? (int)Number(acks[0].Values[0][1]) : 0;
                var all = await influx.QueryAsync($"SELECT median(\"ack_seconds\") FROM {from} WHERE {where} AND \"event\" = 'acknowledged'", ct: ct);
                median = all.Count > 0 && all[0].Values.Count > 0 && all[0].Values[0][1].ValueKind == System.Text.Json.JsonValueKind.Number
                    ? all[0].Values[0][1].GetDouble() / 60 : null;
            }
            return new AlertFigures(byEvent.GetValueOrDefault("raised"), byEvent.GetValueOrDefault("acknowledged"), inTime, byEvent.GetValueOrDefault("escalated"), median);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InfluxQueryException && !ct.IsCancellationRequested)
        {
            // A pack without its alert numbers beats no pack: the numbers show as unknown.
            logger.LogWarning("Alert numbers of {AreaId} for {Period} unavailable: {Error}", area.Id, period, ex.Message);
            return null;
        }
    }

    /// <summary>
    /// The points of an area: its own level's tag, or for an area above the counties (a city of a province) its counties';
    /// nothing for the only root, whose alerts are all of them (a feed's alert carries no area tag).
    /// </summary>
    private string AreaFilter(Area area)
    {
        if (TrendQuery.TagOf(area.Level) is { } tag) return $" AND {Identifier(tag)} = {Literal(area.Id)}";
        if (hierarchy.Roots.Count == 1 && hierarchy.Roots[0].Id == area.Id) return "";
        var counties = hierarchy.Descendants(area.Id, AreaLevel.County).ToList();
        return counties.Count == 0 ? " AND \"county\" = ''" : " AND (" + string.Join(" OR ", counties.Select(c => $"\"county\" = {Literal(c.Id)}")) + ")";
    }

    private static double Number(System.Text.Json.JsonElement e) => e.ValueKind == System.Text.Json.JsonValueKind.Number ? e.GetDouble() : 0;
}

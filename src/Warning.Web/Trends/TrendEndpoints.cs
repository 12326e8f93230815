using System.Globalization;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.TimeSeries;
using Warning.Silo.TimeSeries;
using Warning.Web.Accounts;
using static Warning.Analytics.TimeSeries.InfluxQL;

namespace Warning.Web.Trends;

/// <summary>Daily trend series for the big screen's charts, read from InfluxDB.</summary>
public static class TrendEndpoints
{
    public const int MaxDays = 400;

    public static RouteGroupBuilder MapTrends(this RouteGroupBuilder api)
    {
        // Lets the big screen skip its trend chart quietly when the service runs without InfluxDB.
        var trends = api.MapGroup("").RequireAuthorization(Policies.Aggregates).WithTags("Trends");
        trends.MapGet("/trends/status", (InfluxClient influx) => Results.Ok(new { enabled = influx.Enabled }));

        trends.MapGet("/regions/{id}/trends", async (string id, string? days, string? by, HttpContext http, AreaHierarchy hierarchy, InfluxClient influx,
            TimeProvider time, ILoggerFactory loggers, CancellationToken ct) =>
        {
            var span = 30;
            if (days is not null && (!int.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out span) || span < 1 || span > MaxDays))
                return Problems.Field(StatusCodes.Status400BadRequest, "Invalid parameter", "days", "range", $"must be a whole number of days from 1 to {MaxDays}");
            var grouping = by ?? "category";
            if (grouping is not ("category" or "child"))
                return Problems.Field(StatusCodes.Status400BadRequest, "Invalid parameter", "by", "enum", "must be category or child");
            if (!RegionScope.Of(http).Allows(hierarchy, id) || !hierarchy.TryGet(id, out var area)) return Problems.NotFound("id", $"no area {id}");

            var query = TrendQuery.For(area, grouping, span, time.GetUtcNow(), influx.Options.DayOffset, hierarchy);
            if (query is null)
                return Problems.Field(StatusCodes.Status400BadRequest, "Invalid parameter", "by", "level",
                    $"a {Area.LevelName(area.Level)} has no {grouping} trend (grids are counted by report only, and have no children)");
            if (!influx.Enabled)
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Trends unavailable", detail: "InfluxDB is not enabled (Influx:Enabled)");

            IReadOnlyList<InfluxSeries> series;
            try
            {
                series = await influx.QueryAsync(query.InfluxQl, ct: ct);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InfluxQueryException && !ct.IsCancellationRequested)
            {
                loggers.CreateLogger(typeof(TrendEndpoints)).LogWarning("Trend query for {AreaId} failed: {Error}", id, ex.Message);
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Trends unavailable", detail: "InfluxDB did not answer");
            }

            return Results.Ok(new TrendResponse(area.Id, Area.LevelName(area.Level), grouping, query.Field, span, query.From,
                series.Select(s => query.ToSeries(s, hierarchy)).Where(s => s.Total > 0).OrderByDescending(s => s.Total).ToArray()));
        });
        return api;
    }
}

public sealed record TrendResponse(string RegionId, string Level, string By, string Field, int Days, DateTimeOffset From, IReadOnlyList<TrendSeries> Series);

public sealed record TrendSeries(string Key, string Name, long Total, IReadOnlyList<TrendPoint> Points);

public sealed record TrendPoint(DateOnly Day, long Value);

/// <summary>The InfluxQL for one trend chart; every value in it is quoted (<see cref="InfluxQL"/>), never pasted.</summary>
public sealed record TrendQuery(string InfluxQl, string Field, string GroupTag, DateTimeOffset From, TimeSpan DayOffset)
{
    public static TrendQuery? For(Area area, string by, int days, DateTimeOffset now, TimeSpan dayOffset, AreaHierarchy hierarchy)
    {
        var areaTag = TagOf(area.Level);
        string measurement, field, groupTag;
        if (by == "category")
        {
            if (area.Level == AreaLevel.Grid) return null;
            (measurement, field, groupTag) = (Measurements.Reports, "opened", "category");
        }
        else
        {
            if (area.Level == AreaLevel.Grid) return null;
            var childLevel = area.Level + 1;
            (measurement, field, groupTag) = childLevel == AreaLevel.Grid
                ? (Measurements.GridReports, "count", "grid")
                : (Measurements.Reports, "opened", TagOf(childLevel)!);
        }

        var today = DateOnly.FromDateTime(now.ToOffset(dayOffset).DateTime);
        var from = new DateTimeOffset(today.AddDays(1 - days).ToDateTime(TimeOnly.MinValue), dayOffset);
        // Raw points are kept 90 days; longer ranges read the daily rollup, whose sums carry the same field names.
        var policy = days <= 90 ? InfluxSchema.Raw : InfluxSchema.Daily;
        var where = $"time >= {TimeLiteral(from)}" + (areaTag is null ? "" : $" AND {Identifier(areaTag)} = {Literal(area.Id)}");
        var q = $"SELECT sum({Identifier(field)}) AS \"value\" FROM {Identifier(policy)}.{Identifier(measurement)} WHERE {where} " +
                $"GROUP BY time(1d, {Duration(-dayOffset)}), {Identifier(groupTag)} fill(0)";
        return new TrendQuery(q, field, groupTag, from, dayOffset);
    }

    /// <summary>The area tag that selects an area of this level in every measurement; none for the city (all of it).</summary>
    public static string? TagOf(AreaLevel level) => level switch
    {
        AreaLevel.County => "county",
        AreaLevel.Township => "township",
        AreaLevel.Village => "village",
        AreaLevel.Grid => "grid",
        _ => null,
    };

    public TrendSeries ToSeries(InfluxSeries series, AreaHierarchy hierarchy)
    {
        var key = series.Tags.GetValueOrDefault(GroupTag) ?? "";
        var name = GroupTag == "category" ? key : hierarchy.TryGet(key, out var a) ? a.Name : key;
        var points = series.Values
            .Select(row => new TrendPoint(
                DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(row[0].GetInt64()).ToOffset(DayOffset).DateTime),
                row[1].ValueKind == System.Text.Json.JsonValueKind.Number ? row[1].GetInt64() : 0))
            .ToArray();
        return new TrendSeries(key, name, points.Sum(p => p.Value), points);
    }
}

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Warning.Analytics.TimeSeries;
using static Warning.Analytics.TimeSeries.InfluxQL;

namespace Warning.Silo.TimeSeries;

/// <summary>
/// The database, its retention policies (<c>raw</c> default, <c>hourly</c>, <c>daily</c>) and the continuous queries
/// that roll raw points up to hours and hours up to days, so a year of trends reads a few thousand points per series.
/// </summary>
public sealed class InfluxSchema(InfluxClient client, IOptions<InfluxOptions> options, ILogger<InfluxSchema> logger)
{
    public const string Raw = InfluxWriter.RawPolicy;
    public const string Hourly = "hourly";
    public const string Daily = "daily";

    /// <summary>How one field rolls up: raw → hourly with <paramref name="Hourly"/>(<paramref name="Field"/>) AS <paramref name="As"/>, hourly → daily with <paramref name="Daily"/>(<paramref name="As"/>).</summary>
    public sealed record Rollup(string Hourly, string Field, string As, string Daily);

    private static Rollup Sum(string field) => new("sum", field, field, "sum");
    private static Rollup Last(string field) => new("last", field, field, "last");
    private static Rollup Mean(string field) => new("mean", field, field, "mean");
    private static Rollup Max(string field) => new("max", field, field, "max");

    /// <summary>Event counts add up; snapshots keep the last state of the period (rates: the mean).</summary>
    public static IReadOnlyDictionary<string, Rollup[]> Rollups { get; } = new Dictionary<string, Rollup[]>
    {
        [Measurements.Reports] = [Sum("count"), Sum("opened"), Sum("people"), Sum("violence_flagged"), Sum("amount")],
        [Measurements.GridReports] = [Sum("count")],
        [Measurements.Incidents] = [Sum("count"), Sum("severe"), Max("severity")],
        [Measurements.ServiceRequests] = [Sum("count")],
        [Measurements.Supervision] = [Sum("check_ins"), Sum("missed")],
        [Measurements.AreaCases] = [Last("open"), Last("screened"), Last("mediating"), Last("opened_today"), Last("resolved_today"), Last("opened_30d"), Last("resolved_30d"), Mean("resolution_rate")],
        [Measurements.AreaOpenByCategory] = [Last("open")],
        [Measurements.AreaRisk] = [Mean("mean_probability"), Max("max_probability"), Last("high_risk_cases"), Last("scored_cases")],
        [Measurements.Screening] = [Last("grids"), Last("compliant"), Mean("rate")],
        [Measurements.Spikes] = [Sum("count"), Max("observed"), Max("excess")],
        [Measurements.Alerts] =
        [
            Sum("count"), Max("escalation_level"),
            new("sum", "ack_seconds", "ack_seconds_sum", "sum"), new("count", "ack_seconds", "acknowledged", "sum"), new("max", "ack_seconds", "ack_seconds_max", "max"),
            new("sum", "resolve_seconds", "resolve_seconds_sum", "sum"), new("count", "resolve_seconds", "resolved", "sum"),
        ],
    };

    private InfluxOptions Options => options.Value;

    public async Task EnsureAsync(CancellationToken ct = default)
    {
        var db = Identifier(Options.Database);
        await client.QueryAsync($"CREATE DATABASE {db}", write: true, database: "", ct: ct);
        await PolicyAsync(Raw, Options.RawRetention, isDefault: true, ct);
        await PolicyAsync(Hourly, Options.HourlyRetention, isDefault: false, ct);
        await PolicyAsync(Daily, Options.DailyRetention, isDefault: false, ct);

        // A CQ cannot be altered: drop and create, so a changed definition takes effect on the next start.
        foreach (var (measurement, rollups) in Rollups)
        {
            foreach (var (name, select) in new[] { ($"{measurement}_1h", HourlySelect(measurement, rollups)), ($"{measurement}_1d", DailySelect(measurement, rollups)) })
            {
                var every = name.EndsWith("_1h", StringComparison.Ordinal) ? "RESAMPLE EVERY 1h FOR 3h" : "RESAMPLE EVERY 1h FOR 2d";
                try { await client.QueryAsync($"DROP CONTINUOUS QUERY {Identifier(name)} ON {db}", write: true, ct: ct); }
                catch (InfluxQueryException) { } // not there yet
                await client.QueryAsync($"CREATE CONTINUOUS QUERY {Identifier(name)} ON {db} {every} BEGIN {select} END", write: true, ct: ct);
            }
        }
        logger.LogInformation("InfluxDB database {Database} ready: retention raw {Raw}, hourly {Hourly}, daily {Daily}; {Queries} continuous queries",
            Options.Database, Options.RawRetention, Options.HourlyRetention, Options.DailyRetention == TimeSpan.Zero ? "forever" : Options.DailyRetention, Rollups.Count * 2);
    }

    /// <summary>
    /// Runs the rollups over a past range. Continuous queries only cover the last hours as time passes; history loaded
    /// after the fact (an import, a long outage replayed from the spill folder) needs this. The range is widened to
    /// whole hours and whole (civil) days: a rollup point computed from part of its period would overwrite the full one.
    /// </summary>
    public async Task BackfillAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        var hourFrom = new DateTimeOffset(from.UtcTicks - from.UtcTicks % TimeSpan.TicksPerHour, TimeSpan.Zero);
        var hourTo = new DateTimeOffset(to.UtcTicks - to.UtcTicks % TimeSpan.TicksPerHour, TimeSpan.Zero).AddHours(1);
        var range = $"time >= {TimeLiteral(hourFrom)} AND time < {TimeLiteral(hourTo)}";
        foreach (var (measurement, rollups) in Rollups)
            await client.QueryAsync(Where(HourlySelect(measurement, rollups), range), write: true, ct: ct);
        var dayFrom = new DateTimeOffset(from.ToOffset(Options.DayOffset).Date, Options.DayOffset);
        var dayTo = new DateTimeOffset(to.ToOffset(Options.DayOffset).Date, Options.DayOffset).AddDays(1);
        range = $"time >= {TimeLiteral(dayFrom)} AND time < {TimeLiteral(dayTo)}";
        foreach (var (measurement, rollups) in Rollups)
            await client.QueryAsync(Where(DailySelect(measurement, rollups), range), write: true, ct: ct);
    }

    /// <summary><c>GROUP BY time(1d, -8h)</c> cuts days at midnight China time rather than UTC.</summary>
    public string DayGrouping => $"time(1d, {Duration(-Options.DayOffset)})";

    private string HourlySelect(string measurement, Rollup[] rollups) =>
        $"SELECT {string.Join(", ", rollups.Select(r => $"{r.Hourly}({Identifier(r.Field)}) AS {Identifier(r.As)}"))} " +
        $"INTO {Qualified(Hourly, measurement)} FROM {Qualified(Raw, measurement)} GROUP BY time(1h), *";

    private string DailySelect(string measurement, Rollup[] rollups) =>
        $"SELECT {string.Join(", ", rollups.Select(r => $"{r.Daily}({Identifier(r.As)}) AS {Identifier(r.As)}"))} " +
        $"INTO {Qualified(Daily, measurement)} FROM {Qualified(Hourly, measurement)} GROUP BY {DayGrouping}, *";

    private static string Where(string select, string condition)
    {
        var at = select.IndexOf(" GROUP BY ", StringComparison.Ordinal);
        return select[..at] + " WHERE " + condition + select[at..];
    }

    private string Qualified(string policy, string measurement) => $"{Identifier(Options.Database)}.{Identifier(policy)}.{Identifier(measurement)}";

    private async Task PolicyAsync(string name, TimeSpan duration, bool isDefault, CancellationToken ct)
    {
        var spec = $"ON {Identifier(Options.Database)} DURATION {(duration == TimeSpan.Zero ? "INF" : Duration(duration))} REPLICATION 1{(isDefault ? " DEFAULT" : "")}";
        try
        {
            await client.QueryAsync($"CREATE RETENTION POLICY {Identifier(name)} {spec}", write: true, ct: ct);
        }
        catch (InfluxQueryException ex) when (ex.Message.Contains("already exists", StringComparison.Ordinal))
        {
            await client.QueryAsync($"ALTER RETENTION POLICY {Identifier(name)} {spec}", write: true, ct: ct);
        }
    }
}

using Warning.Analytics.TimeSeries;

namespace Warning.Silo.TimeSeries;

/// <summary>Bound from the <c>Influx</c> section; README's settings table lists each one.</summary>
public sealed class InfluxOptions
{
    public const string Section = "Influx";

    /// <summary>Off on embedded defaults (InfluxDB is a separate server); <c>scripts/run.sh</c> turns it on.</summary>
    public bool Enabled { get; set; }

    public string Url { get; set; } = "http://127.0.0.1:8086";
    public string Database { get; set; } = "warning";
    public string? Username { get; set; }
    public string? Password { get; set; }

    public int BatchSize { get; set; } = 5000;
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Lines held in memory; beyond it new points go straight to the spill folder (ingest never waits on InfluxDB).</summary>
    public int QueueCapacity { get; set; } = 100_000;

    /// <summary>Empty: <c>influx-spill</c> under <c>Storage:DataDirectory</c>.</summary>
    public string SpillDirectory { get; set; } = "";

    /// <summary>Attempts per batch before it is spilled to disk.</summary>
    public int MaxRetries { get; set; } = 3;
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>
    /// Gzip request bodies. Unset: gzip unless InfluxDB is on loopback, where compressing saves no network and costs
    /// InfluxDB more CPU to inflate than it saves (bench/influx.sh shows both).
    /// </summary>
    public bool? Gzip { get; set; }

    public bool UseGzip => Gzip ?? !(Uri.TryCreate(Url, UriKind.Absolute, out var uri) && (uri.IsLoopback || uri.Host == "localhost"));
    public TimePrecision Precision { get; set; } = TimePrecision.Nanoseconds;

    public TimeSpan RawRetention { get; set; } = TimeSpan.FromDays(90);
    public TimeSpan HourlyRetention { get; set; } = TimeSpan.FromDays(730);
    /// <summary>Zero keeps the daily rollup forever.</summary>
    public TimeSpan DailyRetention { get; set; } = TimeSpan.Zero;

    /// <summary>How often area grains (village and up) are sampled for risk, screening compliance and open cases.</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How often the written-through watermark (checkpoint 'influx' in the state database) is saved; after a hard kill
    /// the feed rewrites from there, so a shorter interval means less to rewrite, never anything lost.
    /// </summary>
    public TimeSpan WatermarkInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often rollups are redone over points that arrived too late for the continuous queries (history, outages).</summary>
    public TimeSpan RollupRepairInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Civil-time offset of day boundaries in the daily rollup (China: +08:00).</summary>
    public TimeSpan DayOffset { get; set; } = TimeSpan.FromHours(8);
}

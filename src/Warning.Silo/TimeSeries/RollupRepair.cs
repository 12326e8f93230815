using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Warning.Analytics.TimeSeries;
using Orleans;
using Warning.Silo.Storage;

namespace Warning.Silo.TimeSeries;

/// <summary>
/// Redoes the hourly and daily rollups over points that reached InfluxDB too late for the continuous queries (demo or
/// imported history, a long outage replayed from the spill folder), and remembers across restarts what is still owed.
/// </summary>
/// <remarks>
/// The owed range is saved in the state database (checkpoint <see cref="CheckpointName"/>) on every watermark save,
/// before the watermark itself: entries at or below the saved watermark are never rewritten after a kill, so their
/// late points would otherwise be forgotten with the process (30 days of demo history once went without hourly and
/// daily rollups that way). A repair never reaches back past the raw retention (InfluxDB has dropped those points, and
/// a range from a wild timestamp once asked it to roll up six centuries) and works through the range in
/// <see cref="Chunk"/>s of whole civil days, saving its progress after each.
/// </remarks>
public sealed class RollupRepair(InfluxWriter writer, InfluxSchema schema, Checkpoints storage, TimeProvider time, IOptions<InfluxOptions> options,
    ILogger<RollupRepair> logger)
{
    public const string CheckpointName = "influx-late";

    /// <summary>This loop's name on <c>/readyz</c>.</summary>
    public const string LoopName = "rollupRepair";

    /// <summary>The most one round of backfill queries covers: a week of hours per series keeps each query small.</summary>
    public static TimeSpan Chunk { get; } = TimeSpan.FromDays(7);

    private readonly object _gate = new();
    private readonly SemaphoreSlim _repairing = new(1, 1);
    private readonly SemaphoreSlim _saving = new(1, 1);
    private (DateTimeOffset From, DateTimeOffset To)? _inRepair; // taken from the writer, not yet redone
    private long _saved;
    private volatile bool _loaded;

    private InfluxOptions Options => options.Value;

    /// <summary>What still needs its rollups redone: what the writer has marked since, and what the repair under way has not finished.</summary>
    public (DateTimeOffset From, DateTimeOffset To)? Owed
    {
        get
        {
            lock (_gate) return Union(writer.PeekLateRange(), _inRepair);
        }
    }

    /// <summary>Hands the range an earlier run left owed to the writer; until then nothing is saved over it.</summary>
    public async Task LoadAsync(CancellationToken ct = default)
    {
        var stored = await storage.ReadCheckpointAsync(CheckpointName, ct);
        if (Unpack(stored) is { } owed)
        {
            writer.MarkLate(owed.From, owed.To);
            logger.LogInformation("Rollups owed from {From} to {To} by an earlier run", owed.From, owed.To);
        }
        Interlocked.Exchange(ref _saved, stored);
        _loaded = true;
    }

    /// <summary>Stores <see cref="Owed"/> if it changed.</summary>
    public async Task SaveAsync(CancellationToken ct = default)
    {
        if (!_loaded) return;
        await _saving.WaitAsync(ct);
        try
        {
            var packed = Owed is { } owed ? Pack(owed.From, owed.To) : 0;
            if (packed == Interlocked.Read(ref _saved)) return;
            await storage.WriteCheckpointAsync(CheckpointName, packed, ct);
            Interlocked.Exchange(ref _saved, packed);
        }
        finally
        {
            _saving.Release();
        }
    }

    /// <summary>
    /// Redoes the rollups over what is owed; throws when InfluxDB fails (the rest stays owed for the next round).
    /// Public so tests need not wait for the timer.
    /// </summary>
    public async Task RepairAsync(CancellationToken ct = default)
    {
        await _repairing.WaitAsync(ct);
        try
        {
            (DateTimeOffset From, DateTimeOffset To) late;
            lock (_gate)
            {
                if (writer.TakeLateRange() is not { } taken) return;
                _inRepair = taken;
                late = taken;
            }
            try
            {
                await RepairAsync(late, ct);
            }
            finally
            {
                // Whatever is left (a failure, a stop) goes back to the writer and is still owed.
                lock (_gate)
                {
                    if (_inRepair is { } rest) writer.MarkLate(rest.From, rest.To);
                    _inRepair = null;
                }
            }
        }
        finally
        {
            _repairing.Release();
        }
    }

    private async Task RepairAsync((DateTimeOffset From, DateTimeOffset To) late, CancellationToken ct)
    {
        // Late points still queued would miss the backfill: only run it once the writer has caught up.
        if (!await writer.FlushAsync(TimeSpan.FromSeconds(30), ct)) throw new TimeoutException("the InfluxDB writer has not caught up in 30 s");
        var horizon = Options.RawRetention > TimeSpan.Zero ? time.GetUtcNow() - Options.RawRetention : TimePrecisions.MinTime;
        if (late.To < horizon)
        {
            logger.LogWarning("Rollups not redone from {From} to {To}: older than the raw retention {Horizon}, InfluxDB has dropped those points", late.From, late.To, horizon);
            Done();
            await SaveAsync(ct);
            return;
        }
        if (late.From < horizon)
            logger.LogWarning("Rollups not redone from {From} to {Horizon}: older than the raw retention, InfluxDB has dropped those points", late.From, horizon);

        var from = late.From < horizon ? horizon : late.From;
        var chunks = 0;
        while (true)
        {
            // Whole civil days, so each chunk's daily rollups see all their hours.
            var dayStart = new DateTimeOffset(from.ToOffset(Options.DayOffset).Date, Options.DayOffset);
            var end = dayStart + Chunk;
            var last = end > late.To ? late.To : end.AddTicks(-1);
            await schema.BackfillAsync(from, last, ct);
            chunks++;
            if (last >= late.To) break;
            from = end;
            lock (_gate) _inRepair = (from, late.To);
            await SaveAsync(ct);
        }
        Done();
        await SaveAsync(ct);
        logger.LogInformation("Rollups redone for late points from {From} to {To} ({Chunks} chunks)", late.From, late.To, chunks);

        void Done()
        {
            lock (_gate) _inRepair = null;
        }
    }

    private static (DateTimeOffset From, DateTimeOffset To)? Union((DateTimeOffset From, DateTimeOffset To)? a, (DateTimeOffset From, DateTimeOffset To)? b) =>
        (a, b) switch
        {
            (null, _) => b,
            (_, null) => a,
            ({ } x, { } y) => (x.From < y.From ? x.From : y.From, x.To > y.To ? x.To : y.To),
        };

    /// <summary>
    /// The range in one checkpoint value, so a kill can never store half of it: whole hours from the earliest moment
    /// InfluxDB holds, from (rounded down) in the high 32 bits and to (rounded up) in the low, each plus one so that
    /// 0 means nothing owed. A backfill widens to whole hours anyway; the 585 years InfluxDB spans are 5.1 million hours.
    /// </summary>
    public static long Pack(DateTimeOffset from, DateTimeOffset to)
    {
        long Hours(DateTimeOffset t, bool up)
        {
            var ticks = Math.Clamp(t.UtcTicks, Origin.UtcTicks, TimePrecisions.MaxTime.UtcTicks) - Origin.UtcTicks;
            return (up ? (ticks + TimeSpan.TicksPerHour - 1) : ticks) / TimeSpan.TicksPerHour + 1;
        }
        return Hours(from, up: false) << 32 | Hours(to, up: true);
    }

    public static (DateTimeOffset From, DateTimeOffset To)? Unpack(long packed)
    {
        if (packed <= 0) return null;
        var from = Origin.AddTicks(((packed >> 32) - 1) * TimeSpan.TicksPerHour);
        var to = Origin.AddTicks(((packed & uint.MaxValue) - 1) * TimeSpan.TicksPerHour);
        return (from, to);
    }

    private static readonly DateTimeOffset Origin = new(TimePrecisions.MinTime.UtcTicks - TimePrecisions.MinTime.UtcTicks % TimeSpan.TicksPerHour, TimeSpan.Zero);
}

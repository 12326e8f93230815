using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Areas;
using Warning.Silo.Cases;
using Orleans;
using Warning.Silo.Ingest;

namespace Warning.Silo.Risk;

/// <summary>The payload of a re-score tick in the ingest log: every open case is scored again as of <see cref="AsOf"/>.</summary>
[GenerateSerializer, Immutable, Alias("RescoreTick")]
public sealed record RescoreTick(DateTimeOffset AsOf, string Reason);

public sealed record RescoreSummary(int OpenCases, int Moved, double Seconds);

/// <summary>
/// Re-scoring of every open case as time passes. A score otherwise moves only when a report or incident arrives, yet days
/// open, deadlines passed, incidents ageing out of the last 7 and 30 days and the village's spike state change it too.
/// The tick goes through the ingest log like a report, so it is applied once, in order with everything else, and a
/// replay after a crash re-sends exactly the moves the areas missed (cases and areas keep them by the tick's seq).
/// </summary>
public static class OpenCaseRescore
{
    private static readonly TimeSpan GridLinger = TimeSpan.FromSeconds(1);

    /// <summary>The log item for a tick; the item id is the moment, so the same tick appended twice is one entry.</summary>
    public static PendingItem Tick(DateTimeOffset asOf, string reason)
    {
        var tick = new RescoreTick(asOf, reason);
        return new PendingItem(IngestKind.Rescore, $"rescore-{asOf.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}", null, JsonSerializer.Serialize(tick, WarningJson.Options), tick);
    }

    public static async Task<RescoreSummary> ApplyAsync(IGrainFactory grains, AreaHierarchy hierarchy, long seq, RescoreTick tick, ILogger logger)
    {
        var watch = Stopwatch.StartNew();
        var grids = hierarchy.AtLevel(AreaLevel.Grid).ToArray();
        // A province has 100,000 grids: asked all at once, the ones woken last (each a store read) waited past the
        // grain call timeout and the whole tick failed. A thousand at a time keeps every call well inside it.
        var open = new List<string>();
        // Each grid is asked twice in a row and then left: it lingers a second, not the pass's linger, or a province's
        // 100,000 grids would all be awake at once (bench/province.sh).
        await LeafPassing.RunAsync(GridLinger, async () =>
        {
            foreach (var chunk in grids.Chunk(1024))
            {
                foreach (var ids in await Task.WhenAll(chunk.Select(g => grains.GetGrain<IGridGrain>(g.Id).GetOpenCases())))
                    open.AddRange(ids);
                // The tick is the log's record of time passing: grids check their screening cadence with it too.
                await Task.WhenAll(chunk.Select(g => grains.GetGrain<IGridGrain>(g.Id).CheckScreening(tick.AsOf)));
            }
        });
        var cases = open.Distinct(StringComparer.Ordinal).ToArray();

        var moves = new List<CaseRiskChange>();
        // Chunks keep a few hundred grain turns in flight rather than every open case of the city at once.
        foreach (var chunk in cases.Chunk(256))
        {
            var changed = await Task.WhenAll(chunk.Select(id => grains.GetGrain<ICaseGrain>(id).Rescore(seq, tick.AsOf)));
            moves.AddRange(changed.Where(c => c is not null)!);
        }

        var byArea = new Dictionary<string, (Area Area, List<CaseRiskChange> Moves)>(StringComparer.Ordinal);
        foreach (var move in moves)
        {
            if (!hierarchy.TryGet(move.GridId, out _)) continue;
            foreach (var area in hierarchy.PathToRoot(move.GridId))
            {
                if (!byArea.TryGetValue(area.Id, out var entry)) byArea[area.Id] = entry = (area, new List<CaseRiskChange>());
                entry.Moves.Add(move);
            }
        }
        await Task.WhenAll(byArea.Values.Select(e => grains.For(e.Area).ApplyCaseRisks(seq, e.Moves)));

        var summary = new RescoreSummary(cases.Length, moves.Count, watch.Elapsed.TotalSeconds);
        logger.LogInformation("Re-scored {OpenCases} open cases as of {AsOf} ({Reason}): {Moved} scores moved in {Seconds:F2}s",
            summary.OpenCases, tick.AsOf, tick.Reason, summary.Moved, summary.Seconds);
        return summary;
    }
}

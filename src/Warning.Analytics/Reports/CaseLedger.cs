using Warning.Analytics.Disputes;
using Warning.Analytics.Risk;

namespace Warning.Analytics.Reports;

/// <summary>A case's status from a moment on, as its reports said it (a report that repeats the status is no step).</summary>
public readonly record struct StatusStep(DateTimeOffset At, CaseStatus Status, DisputeCategory Category);

/// <summary>One case as the accepted reports and incidents tell it: where, what, and every status step in event-time order.</summary>
public sealed class LedgerCase(string id, string gridId)
{
    public string Id { get; } = id;

    public string GridId { get; internal set; } = gridId;

    public List<StatusStep> Steps { get; } = new();

    /// <summary>Harm incidents linked to the case (violence, injury, self-harm, a criminal case), in time order.</summary>
    public List<Incident> Harms { get; } = new();

    public DateTimeOffset OpenedAt => Steps[0].At;

    /// <summary>The last step before <paramref name="moment"/>, or null if the case had not opened yet.</summary>
    public StatusStep? AsOf(DateTimeOffset moment)
    {
        StatusStep? last = null;
        foreach (var s in Steps)
        {
            if (s.At >= moment) break;
            last = s;
        }
        return last;
    }
}

/// <summary>
/// The history a meeting pack is computed from: every case's status steps, linked harm incidents and every grid's
/// screening moments (rounds, and reports: a worker who filed one was in the grid), read from the ingest log. Built
/// from event times, not arrival order, so a late report lands on the day it happened.
/// </summary>
public sealed class CaseLedger
{
    private readonly Dictionary<string, LedgerCase> _cases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<DateTimeOffset>> _screened = new(StringComparer.Ordinal);

    public IReadOnlyCollection<LedgerCase> Cases => _cases.Values;

    /// <summary>Harm incidents not linked to any case still happened in their grid.</summary>
    public List<Incident> UnlinkedHarms { get; } = new();

    /// <summary>The earliest and latest event time read; null when the log holds none.</summary>
    public DateTimeOffset? FirstEvent { get; private set; }

    public DateTimeOffset? LastEvent { get; private set; }

    public bool TryGet(string caseId, out LedgerCase c) => _cases.TryGetValue(caseId, out c!);

    /// <summary>The moments a grid was screened, sorted; empty for a grid never screened.</summary>
    public IReadOnlyList<DateTimeOffset> ScreenedAt(string gridId) => _screened.TryGetValue(gridId, out var list) ? list : [];

    public static CaseLedger From(IEnumerable<object> records)
    {
        var ledger = new CaseLedger();
        var reports = new List<ScreeningReport>();
        var incidents = new List<Incident>();
        foreach (var record in records)
        {
            switch (record)
            {
                case ScreeningReport r:
                    reports.Add(r);
                    ledger.Seen(r.ReportedAt);
                    ledger.Screened(r.GridId, r.ReportedAt);
                    break;
                case Incident i:
                    incidents.Add(i);
                    ledger.Seen(i.OccurredAt);
                    break;
                case ScreeningRound s:
                    ledger.Seen(s.ScreenedAt);
                    ledger.Screened(s.GridId, s.ScreenedAt);
                    break;
                case ScreeningMark m:
                    ledger.Seen(m.ScreenedAt);
                    ledger.Screened(m.GridId, m.ScreenedAt);
                    break;
            }
        }

        // Stable: two reports of one case at the same moment keep their arrival order, as the case grain applied them.
        // Sorted by (instant, arrival) keys rather than LINQ's OrderBy: a city has a million reports, and this is a third of the time.
        var order = new (long Ticks, int Index)[reports.Count];
        for (var k = 0; k < order.Length; k++) order[k] = (reports[k].ReportedAt.UtcTicks, k);
        Array.Sort(order);
        foreach (var (_, index) in order)
        {
            var r = reports[index];
            var id = r.CaseId ?? CaseIds.FromOpeningReport(r.ReportId);
            if (!ledger._cases.TryGetValue(id, out var c)) ledger._cases[id] = c = new LedgerCase(id, r.GridId);
            if (c.Steps.Count == 0 || c.Steps[^1].Status != r.Status || c.Steps[^1].Category != r.Category)
                c.Steps.Add(new StatusStep(r.ReportedAt, r.Status, r.Category));
        }
        foreach (var i in incidents.Where(i => HistoryReplay.IsHarm(i.Type)).OrderBy(i => i.OccurredAt))
        {
            if (i.CaseId is { } id && ledger._cases.TryGetValue(id, out var c)) c.Harms.Add(i);
            else ledger.UnlinkedHarms.Add(i);
        }
        foreach (var list in ledger._screened.Values) list.Sort();
        return ledger;
    }

    private void Seen(DateTimeOffset at)
    {
        if (FirstEvent is null || at < FirstEvent) FirstEvent = at;
        if (LastEvent is null || at > LastEvent) LastEvent = at;
    }

    private void Screened(string gridId, DateTimeOffset at)
    {
        if (!_screened.TryGetValue(gridId, out var list)) _screened[gridId] = list = new();
        list.Add(at);
    }
}

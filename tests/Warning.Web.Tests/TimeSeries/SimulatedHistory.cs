using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Risk;
using Warning.Analytics.Simulation;
using Warning.Analytics.TimeSeries;
using Warning.Silo.Areas;
using Warning.Silo.Cases;
using Warning.Silo.TimeSeries;

namespace Warning.Web.Tests.TimeSeries;

/// <summary>
/// Simulator history written to InfluxDB with historical timestamps by the service's own point builders: reports and
/// incidents as the ingest feed writes them, area snapshots every 6 hours from <see cref="AreaTally"/> (risk from the
/// simulator's ground-truth probabilities, standing in for the scorer), and alert lifecycles through the typed alert
/// write. The alerts are simulated: there is no alert store yet. Spike signals stand in for the nightly scan, one pair per
/// planted cluster.
/// </summary>
public static class SimulatedHistory
{
    public sealed record Loaded(int Reports, int Incidents, int Snapshots, int Alerts);

    public static Loaded Write(AreaHierarchy city, InfluxWriter writer, DateTimeOffset from, DateTimeOffset to, int seed, long sequenceBase)
    {
        var sim = new DisputeSimulator(city, new SimulatorOptions { Seed = seed, CasesPerVillagePerDay = 2.0, RegistryAsOf = from, SpikesPerMonth = 12 });
        var areas = city.All.Where(a => a.Level <= AreaLevel.Village).ToList();
        var tallies = areas.ToDictionary(a => a.Id, _ => new AreaTally(), StringComparer.Ordinal);
        var grids = areas.ToDictionary(a => a.Id, a => city.Descendants(a.Id, AreaLevel.Grid).Count(), StringComparer.Ordinal);
        var cases = new Dictionary<string, (DisputeCategory Category, CaseStatus Status, string GridId, double Risk)>(StringComparer.Ordinal);
        var rng = new Random(seed);
        var offset = DisputeSimulator.ChinaOffset;
        DateOnly DayOf(DateTimeOffset t) => DateOnly.FromDateTime(t.ToOffset(offset).DateTime);
        var step = TimeSpan.FromHours(6);
        var deadlines = new DeadlineOptions();
        var openedAt = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var nextSnapshot = AreaSnapshotPoints.Slot(from, step) + step;
        int reports = 0, incidents = 0, snapshots = 0, alerts = 0;
        var seq = sequenceBase;

        void Snapshot(DateTimeOffset slot)
        {
            var risk = areas.ToDictionary(a => a.Id, _ => new List<double>(), StringComparer.Ordinal);
            foreach (var c in cases.Values.Where(c => c.Status.IsOpen()))
                foreach (var a in city.PathToRoot(c.GridId).Where(a => a.Level <= AreaLevel.Village))
                    risk[a.Id].Add(c.Risk);
            foreach (var area in areas)
            {
                var r = risk[area.Id];
                var counts = tallies[area.Id].Summarise(DayOf(slot), slot, grids[area.Id], TimeSpan.FromDays(1), c => deadlines.For(c).Complete) with
                {
                    Risk = r.Count == 0 ? AreaRisk.None : new AreaRisk(r.Count, r.Average(), r.Max(), r.Count(p => p >= 0.2)),
                };
                foreach (var point in AreaSnapshotPoints.Build(area, counts, slot, city)) writer.Write(point);
            }
            snapshots++;
        }

        void Alert(AlertEvent e)
        {
            if (e.At >= to) return;
            writer.WriteAlert(e, city);
            alerts++;
        }

        void Lifecycle(string id, string rule, string areaId, string severity, DateTimeOffset raised)
        {
            Alert(new AlertEvent(id, AlertEventKind.Raised, raised, areaId, rule, severity));
            var acknowledged = raised.AddMinutes(5 + rng.Exponential(40));
            if (rng.NextDouble() < 0.2)
            {
                var escalatedAt = raised.AddMinutes(30);
                var parent = city[areaId].ParentId ?? areaId;
                Alert(new AlertEvent(id, AlertEventKind.Escalated, escalatedAt, parent, rule, severity, escalatedAt - raised, 1));
                acknowledged = escalatedAt.AddMinutes(5 + rng.Exponential(20));
            }
            Alert(new AlertEvent(id, AlertEventKind.Acknowledged, acknowledged, areaId, rule, severity, acknowledged - raised));
            var resolved = acknowledged.AddHours(2 + rng.Exponential(30));
            Alert(new AlertEvent(id, AlertEventKind.Resolved, resolved, areaId, rule, severity, resolved - raised));
        }

        foreach (var e in sim.Run(from, to))
        {
            while (e.At >= nextSnapshot)
            {
                Snapshot(nextSnapshot);
                nextSnapshot += step;
            }
            seq++;
            switch (e)
            {
                case SimulatedReport r:
                {
                    var report = r.Report.CaseId is null ? r.Report with { CaseId = CaseIds.FromOpeningReport(r.Report.ReportId) } : r.Report;
                    writer.Write(EventPoints.Report(report, seq, city));
                    reports++;
                    var known = cases.TryGetValue(report.CaseId!, out var previous);
                    var probability = known ? previous.Risk : sim.TruthOf(report.CaseId!)?.HarmProbability30Days ?? 0.02;
                    if (!known) openedAt[report.CaseId!] = report.ReportedAt;
                    var change = new CaseChange(report.CaseId!, report.GridId, report.ReportedAt, !known,
                        known ? previous.Category : null, known ? previous.Status : null, report.Category, report.Status)
                    {
                        OpenedAt = openedAt[report.CaseId!],
                        PreviousOpenedAt = known ? openedAt[report.CaseId!] : null,
                    };
                    foreach (var area in city.PathToRoot(report.GridId).Where(a => a.Level <= AreaLevel.Village))
                        tallies[area.Id].Apply(change, DayOf);
                    cases[report.CaseId!] = (report.Category, report.Status, report.GridId, probability);
                    if (!known)
                    {
                        var village = city[report.GridId].ParentId!;
                        if (probability >= 0.1)
                            Lifecycle("risk-" + report.CaseId, "case_risk", village, probability >= 0.3 ? "critical" : probability >= 0.2 ? "high" : "medium", report.ReportedAt.AddMinutes(5));
                        if (rng.NextDouble() < 0.06)
                            Lifecycle("deadline-" + report.CaseId, "deadline", village, "medium", report.ReportedAt.AddDays(7));
                    }
                    break;
                }
                case SimulatedIncident i:
                    writer.Write(EventPoints.Incident(i.Incident, seq, city));
                    incidents++;
                    foreach (var area in city.PathToRoot(i.Incident.GridId).Where(a => a.Level <= AreaLevel.Village))
                        tallies[area.Id].CountIncident(i.Incident.Type, DayOf(i.Incident.OccurredAt));
                    break;
            }
        }
        while (nextSnapshot < to)
        {
            Snapshot(nextSnapshot);
            nextSnapshot += step;
        }
        foreach (var spike in sim.PlantedSpikes)
        {
            Lifecycle($"spike-{spike.VillageId}-{spike.From.ToUnixTimeSeconds()}", "spike", spike.VillageId, "high", spike.From.AddDays(1));
            // The nightly scan's signals for the cluster (the detector itself is tested in the spike tests): its category
            // and the village overall, from the night after it began.
            var day = DayOf(spike.From);
            if (spike.From.AddDays(1) >= to) continue;
            var early = (int)Math.Round(spike.ExpectedExtraInFirst(2));
            writer.Write(EventPoints.Spike(day, offset, spike.VillageId, spike.Category, "poisson_c3", null, early + 1, 0.4, city));
            writer.Write(EventPoints.Spike(day, offset, spike.VillageId, null, "poisson_c2", null, early + 2, 1.1, city));
        }
        // And a slow rise in one village of every county three days before the end, so each county's spike panels have a
        // signal whatever days the plants fell on.
        foreach (var county in city.AtLevel(AreaLevel.County))
        {
            var village = city.Descendants(county.Id, AreaLevel.Village).OrderBy(v => v.Id, StringComparer.Ordinal).First();
            writer.Write(EventPoints.Spike(DayOf(to.AddDays(-3)), offset, village.Id, null, "poisson_cusum", null, 9, 4.2, city));
        }
        return new Loaded(reports, incidents, snapshots, alerts);
    }

    private static double Exponential(this Random rng, double mean) => -mean * Math.Log(1 - rng.NextDouble());
}

using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;

namespace Warning.Analytics.Simulation;

/// <summary>
/// A generative model of a city's disputes: screening reports and feed incidents, in time order, with known ground
/// truth (each case's harm probability and outcome, planted spikes). Deterministic for <see cref="SimulatorOptions.Seed"/>:
/// the same city, options and time range give the same events, ids included. See Simulation/README.md.
/// </summary>
/// <remarks>
/// The city starts empty at <c>from</c> (no cases carried in). Days are China days (UTC+08:00) and event times carry
/// that offset. Events are produced lazily: only cases still running are held in memory.
/// </remarks>
public sealed class DisputeSimulator
{
    public static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);
    private const int Profiles = 2; // village, community
    private static readonly int Categories = Enum.GetValues<DisputeCategory>().Length;
    private static readonly double[] YearlyMean = ComputeYearlyMeans();

    private readonly SimulatorOptions _options;
    private readonly VillageModel[] _villages;
    private readonly List<KeyIndividual> _keyIndividuals = [];
    private readonly (KeyIndividual Person, DayOfWeek Day, double Hour)[] _checkIns;
    private readonly ConcurrentDictionary<string, CaseTruth> _truth = new(StringComparer.Ordinal);
    private readonly List<PlantedSpike> _spikes = [];

    public DisputeSimulator(AreaHierarchy city, SimulatorOptions options)
    {
        _options = options;
        var rng = new Random(options.Seed);
        var villages = city.AtLevel(AreaLevel.Village).OrderBy(v => v.Id, StringComparer.Ordinal).ToList();
        if (villages.Count == 0) throw new ArgumentException("the hierarchy has no villages or communities", nameof(city));

        _villages = new VillageModel[villages.Count];
        for (var i = 0; i < villages.Count; i++)
        {
            var village = villages[i];
            var grids = city.ChildrenOf(village.Id).Select(g => g.Id).ToArray();
            // A village without grids still gets cases; they are filed against the village itself.
            if (grids.Length == 0) grids = [village.Id];
            var cumulative = new double[grids.Length];
            var sum = 0.0;
            for (var g = 0; g < grids.Length; g++)
            {
                // Gamma with mean 1: some grids are much busier than others, which is what baselines must cope with.
                sum += rng.Gamma(options.GridRateShape, 1 / options.GridRateShape);
                cumulative[g] = sum;
            }
            _villages[i] = new VillageModel
            {
                Index = i,
                Id = village.Id,
                IsCommunity = village.Kind == "community",
                GridIds = grids,
                ReporterIds = grids.Select(g => "w-" + g).ToArray(),
                GridCumulative = cumulative,
                Rate = options.CasesPerVillagePerDay * sum / grids.Length,
            };
        }

        KeyIndividualRegistry.Populate(rng, _villages, options, _keyIndividuals);
        _checkIns = _keyIndividuals
            .Where(k => k.Basis == SupervisionBasis.CommunityCorrections)
            .Select(k => (k, (DayOfWeek)rng.Next(1, 6), rng.Uniform(8.5, 17)))
            .ToArray();
    }

    public IReadOnlyList<KeyIndividual> KeyIndividuals => _keyIndividuals;

    /// <summary>Spikes planted by the current (or last) run so far.</summary>
    public IReadOnlyList<PlantedSpike> PlantedSpikes
    {
        get { lock (_spikes) return _spikes.ToArray(); }
    }

    /// <summary>Ground truth for a case opened by the current (or last) run; null for an unknown id or with KeepTruth off.</summary>
    public CaseTruth? TruthOf(string caseId) => _truth.TryGetValue(caseId, out var truth) ? truth : null;

    /// <summary>All ground truth so far, in no particular order.</summary>
    public IEnumerable<CaseTruth> Truths => _truth.Values;

    /// <summary>Events with <paramref name="from"/> ≤ At &lt; <paramref name="to"/>, strictly ordered by time (ties in generation order).</summary>
    public IEnumerable<SimulatedEvent> Run(DateTimeOffset from, DateTimeOffset to)
    {
        _truth.Clear();
        lock (_spikes) _spikes.Clear();
        // A stream of its own, so a run does not depend on how the constructor used the seed.
        var run = new RunContext(_options.Seed, new Random(unchecked(_options.Seed * 7919 + 104_729)));
        // Where, when and why spikes strike comes from a stream of its own, so runs that differ only in spike size plant
        // the same clusters (the bench's power curve compares like with like).
        var plants = new Random(unchecked(_options.Seed * 6151 + 49_157));
        var rounds = _options.ScreeningRounds ? new ScreeningRounds(_options.Seed, _villages) : null;
        var rng = run.Rng;
        var queue = new PriorityQueue<SimulatedEvent, (long Ticks, long Order)>();
        long order = 0;
        var scratch = new List<SimulatedEvent>(16);
        var activeSpikes = new List<(PlantedSpike Spike, VillageModel Village)>();
        var weights = new double[Profiles, Categories];
        var cumulative = new[] { new double[Categories], new double[Categories] };

        var day = DateOnly.FromDateTime(from.ToOffset(ChinaOffset).DateTime);
        var lastDay = DateOnly.FromDateTime(to.ToOffset(ChinaOffset).DateTime);
        for (; day <= lastDay; day = day.AddDays(1))
        {
            var dayStart = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), ChinaOffset);

            // Everything planned before today is final: nothing generated from today on can precede it.
            while (queue.TryPeek(out var next, out _) && next.At < dayStart)
            {
                queue.Dequeue();
                if (next.At < to) yield return next;
            }

            if (_options.PlantSpikes) PlantSpikes(plants, dayStart, activeSpikes);

            var weekday = Seasonality.WeekdayFactor(day);
            for (var p = 0; p < Profiles; p++)
            {
                var sum = 0.0;
                for (var c = 0; c < Categories; c++)
                {
                    var profile = CategoryProfile.All[c];
                    weights[p, c] = (p == 0 ? profile.RuralShare : profile.CommunityShare) * Seasonality.Factor((DisputeCategory)c, day) * weekday / YearlyMean[p];
                    cumulative[p][c] = sum += weights[p, c];
                }
            }

            foreach (var village in _villages)
            {
                var p = village.Profile;
                var n = rng.Poisson(village.Rate * cumulative[p][Categories - 1]);
                for (var k = 0; k < n; k++) Open(village, (DisputeCategory)rng.PickCumulative(cumulative[p]), dayStart);
            }

            // A cluster's cases come on top of the village's normal arrivals, through the same opening path.
            foreach (var (spike, village) in activeSpikes)
            {
                var extra = rng.Poisson(spike.ExpectedExtraOn((int)Math.Round((dayStart - spike.From).TotalDays)));
                for (var k = 0; k < extra; k++) Open(village, spike.Category, dayStart);
            }

            if (_options.CorrectionsCheckIns) CheckIns(run, day, dayStart);
            Unlinked(run, dayStart);
            rounds?.PlanDay(day, dayStart, from, to, s => queue.Enqueue(s, (s.At.UtcTicks, order++)));
        }

        while (queue.TryDequeue(out var last, out _))
            if (last.At < to) yield return last;
            else break;

        void Open(VillageModel village, DisputeCategory category, DateTimeOffset dayStart)
        {
            // Grid workers file between half past seven and half past seven.
            var at = dayStart.AddHours(rng.Uniform(7.5, 19.5));
            var grid = rng.PickCumulative(village.GridCumulative);
            if (at < from || at >= to) return;
            scratch.Clear();
            var truth = CaseLifecycle.Plan(run, village, grid, category, at, scratch);
            if (_options.KeepTruth) _truth[truth.CaseId] = truth;
            foreach (var e in scratch) queue.Enqueue(e, (e.At.UtcTicks, order++));
            if (rounds is not null && scratch.OfType<SimulatedReport>().FirstOrDefault(r => r.Report.CaseId is null) is { } opening) rounds.Opened(opening.Report);
        }

        void CheckIns(RunContext r, DateOnly today, DateTimeOffset start)
        {
            foreach (var (person, weekdayOf, hour) in _checkIns)
            {
                if (weekdayOf != today.DayOfWeek) continue;
                var at = start.AddHours(hour);
                if (at < person.BasisReviewedAt || at >= person.BasisExpiresAt) continue;
                var missed = r.Rng.Chance(0.03);
                if (at < from || at >= to) continue;
                var incident = new Incident(r.NextIncidentId(), IncidentSource.Corrections, missed ? IncidentType.CheckInMissed : IncidentType.CheckIn,
                    at, person.GridId, null, [person.PersonId], missed ? 2 : 1, missed ? Summaries.CheckInMissed : Summaries.CheckIn);
                queue.Enqueue(new SimulatedIncident(incident), (at.UtcTicks, order++));
            }
        }

        void Unlinked(RunContext r, DateTimeOffset start)
        {
            var n = r.Rng.Poisson(_options.UnlinkedIncidentsPerVillagePerDay * _villages.Length);
            for (var k = 0; k < n; k++)
            {
                var village = r.Rng.Pick(_villages);
                var grid = r.Rng.Pick(village.GridIds);
                var at = start.AddHours(r.Rng.Uniform(0, 24));
                var (source, type, summary) = r.Rng.Pick(Summaries.Unlinked);
                if (at < from || at >= to) continue;
                var incident = new Incident(r.NextIncidentId(), source, type, at, grid, null, [], 1, summary);
                queue.Enqueue(new SimulatedIncident(incident), (at.UtcTicks, order++));
            }
        }
    }

    /// <summary>
    /// Replays <see cref="Run"/> from <paramref name="simulatedStart"/> paced by the wall clock, <paramref name="speed"/>
    /// simulated seconds per real second, without end. Each event is re-stamped with the wall-clock time it is released
    /// at, so a server that rejects future times accepts it; <see cref="TruthOf"/> keeps simulated times.
    /// </summary>
    public IAsyncEnumerable<SimulatedEvent> RunRealTime(DateTimeOffset simulatedStart, double speed, CancellationToken ct) =>
        RunRealTime(simulatedStart, speed, TimeProvider.System, ct);

    public async IAsyncEnumerable<SimulatedEvent> RunRealTime(DateTimeOffset simulatedStart, double speed, TimeProvider clock, [EnumeratorCancellation] CancellationToken ct)
    {
        if (speed <= 0) throw new ArgumentOutOfRangeException(nameof(speed), "speed must be positive");
        var wallStart = clock.GetUtcNow();
        foreach (var e in Run(simulatedStart, simulatedStart.AddYears(100)))
        {
            var due = wallStart + (e.At - simulatedStart) / speed;
            var wait = due - clock.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                try { await Task.Delay(wait, clock, ct).ConfigureAwait(false); }
                catch (OperationCanceledException) { yield break; }
            }
            if (ct.IsCancellationRequested) yield break;
            yield return Restamp(e, due.ToOffset(ChinaOffset));
        }
    }

    private static SimulatedEvent Restamp(SimulatedEvent e, DateTimeOffset at) => e switch
    {
        SimulatedReport r => new SimulatedReport(r.Report with { ReportedAt = at }),
        SimulatedIncident i => new SimulatedIncident(i.Incident with { OccurredAt = at }),
        SimulatedScreening s => new SimulatedScreening(s.Round with { ScreenedAt = at }),
        _ => e,
    };

    private void PlantSpikes(Random rng, DateTimeOffset dayStart, List<(PlantedSpike Spike, VillageModel Village)> active)
    {
        active.RemoveAll(s => s.Spike.To <= dayStart);

        var n = rng.Poisson(_options.SpikesPerMonth / 30);
        for (var k = 0; k < n; k++)
        {
            var village = rng.Pick(_villages);
            var cause = PickCause(rng, village);
            var category = CategoryOf(rng, cause, village);
            var (min, max) = (_options.SpikeExtraCasesMin, _options.SpikeExtraCasesMax);
            // Log-uniform: as many clusters of 8–16 cases as of 16–32; small ones are the commoner.
            var size = Math.Round(min * Math.Pow(max / min, rng.NextDouble()), 2);
            var spike = new PlantedSpike(village.Id, category, dayStart, dayStart.AddDays(rng.Next(2, 8)), size, cause) { Decay = _options.SpikeDecay };
            active.Add((spike, village));
            lock (_spikes) _spikes.Add(spike);
        }
    }

    /// <summary>
    /// The trigger of a cluster: requisitions and pollution are rural troubles, property companies urban ones; wage arrears
    /// hit both (builders, factories). "Other" stands for the rest (a failed co-operative, a bank, a clinic).
    /// </summary>
    private static SpikeCause PickCause(Random rng, VillageModel village)
    {
        // In SpikeCause order: land requisition, wage arrears, property company, pollution, other.
        ReadOnlySpan<double> rural = [0.35, 0.25, 0.0, 0.15, 0.25];
        ReadOnlySpan<double> community = [0.10, 0.25, 0.40, 0.05, 0.20];
        var weights = village.IsCommunity ? community : rural;
        var u = rng.NextDouble();
        for (var i = 0; i < weights.Length; i++)
            if ((u -= weights[i]) < 0) return (SpikeCause)i;
        return SpikeCause.Other;
    }

    private static DisputeCategory CategoryOf(Random rng, SpikeCause cause, VillageModel village)
    {
        switch (cause)
        {
            // A requisition brings compensation disputes over the land in a village, over the houses in a community.
            case SpikeCause.LandRequisition: return rng.Chance(village.IsCommunity ? 0.2 : 0.7) ? DisputeCategory.Land : DisputeCategory.Demolition;
            case SpikeCause.WageArrears: return DisputeCategory.LaborWage;
            case SpikeCause.PropertyCompany: return DisputeCategory.PropertyMgmt;
            case SpikeCause.Pollution: return DisputeCategory.Environment;
            default:
                var shares = CategoryProfile.All.Select(p => village.IsCommunity ? p.CommunityShare : p.RuralShare).ToArray();
                for (var i = 1; i < shares.Length; i++) shares[i] += shares[i - 1];
                return (DisputeCategory)rng.PickCumulative(shares);
        }
    }

    /// <summary>Mean over a year of the summed category weights, per profile: keeps the yearly rate at the option's value.</summary>
    private static double[] ComputeYearlyMeans()
    {
        var means = new double[Profiles];
        var first = new DateOnly(2025, 1, 1);
        for (var p = 0; p < Profiles; p++)
        {
            var total = 0.0;
            for (var d = 0; d < 365; d++)
            {
                var date = first.AddDays(d);
                foreach (var profile in CategoryProfile.All)
                    total += (p == 0 ? profile.RuralShare : profile.CommunityShare) * Seasonality.Factor(profile.Category, date) * Seasonality.WeekdayFactor(date);
            }
            means[p] = total / 365;
        }
        return means;
    }
}

using Warning.Analytics.Disputes;

namespace Warning.Analytics.Simulation;

/// <summary>
/// Grid workers' screening rounds (排查走访), one decision per grid and day: a round that files the day's new disputes,
/// a round that found nothing (零报告), or no round. Drawn from a random stream of its own, so turning rounds on leaves
/// every dispute, incident and spike of a seed as it was. See Simulation/README.md, "Screening rounds".
/// </summary>
internal sealed class ScreeningRounds
{
    /// <summary>Chance per grid and day that a worker drops out for a while (leave, a vacant post, or just stopping).</summary>
    private const double LapseHazard = 1.0 / 300;

    private readonly int _seed;
    private readonly Random _rng;
    private readonly VillageModel[] _villages;
    private readonly Habit[][] _habits;
    private readonly Dictionary<string, List<ScreeningReport>> _openedToday = new(StringComparer.Ordinal);
    private long _rounds;

    public ScreeningRounds(int seed, VillageModel[] villages)
    {
        _seed = seed;
        _rng = new Random(unchecked(seed * 7727 + 31_337));
        _villages = villages;
        _habits = new Habit[villages.Length][];
        foreach (var village in villages)
        {
            var habits = _habits[village.Index] = new Habit[village.GridIds.Length];
            for (var g = 0; g < habits.Length; g++)
            {
                // Communities screen daily as the rules ask (DESIGN.md); rural grids are wider and thinner, their
                // workers part-time, so they skip more days, weekends most.
                var diligence = village.IsCommunity ? _rng.Uniform(0.93, 1.0) : _rng.Uniform(0.85, 1.0);
                var weekend = village.IsCommunity ? 0.95 : 0.85;
                var habit = new Habit(_rng.Uniform(8.5, 16.5), diligence, weekend);
                // Start in the steady state, where a few grids are already in a lapse, rather than with every worker on duty.
                if (_rng.Chance(LapseHazard * MeanLapseDays)) habit.LapseDaysLeft = _rng.Next(1, 21);
                habits[g] = habit;
            }
        }
    }

    /// <summary>Mean length of a lapse as <see cref="LapseLength"/> draws it: most are a week, some a vacancy of one to two months.</summary>
    private const double MeanLapseDays = 0.85 * 7 + 0.15 * 40;

    /// <summary>An opening report filed today: the day's round of its grid lists it.</summary>
    public void Opened(ScreeningReport opening)
    {
        if (!_openedToday.TryGetValue(opening.GridId, out var reports)) _openedToday[opening.GridId] = reports = [];
        reports.Add(opening);
    }

    /// <summary>Today's rounds of every grid, handed to <paramref name="add"/>; call once a day after the day's cases are opened.</summary>
    public void PlanDay(DateOnly day, DateTimeOffset dayStart, DateTimeOffset from, DateTimeOffset to, Action<SimulatedScreening> add)
    {
        var isWeekend = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
        foreach (var village in _villages)
        {
            var habits = _habits[village.Index];
            for (var g = 0; g < habits.Length; g++)
            {
                var gridId = village.GridIds[g];
                // A village without grids files its cases against itself; it has no grid to screen.
                if (gridId == village.Id) continue;
                var habit = habits[g];
                if (habit.LapseDaysLeft > 0)
                {
                    habit.LapseDaysLeft--;
                    continue;
                }
                if (_rng.Chance(LapseHazard))
                {
                    habit.LapseDaysLeft = LapseLength() - 1;
                    continue;
                }

                var hour = Math.Clamp(habit.Hour + 0.75 * _rng.Normal(), 7, 20);
                var at = dayStart.AddHours(hour);
                var findings = ScreeningFindings.None;
                IReadOnlyList<string> reportIds = [];
                if (_openedToday.TryGetValue(gridId, out var opened))
                {
                    // Disputes found on the round are filed as it goes; the round is recorded when it ends.
                    findings = ScreeningFindings.DisputesReported;
                    reportIds = opened.Select(r => r.ReportId).ToArray();
                    var last = opened.Max(r => r.ReportedAt);
                    if (last >= at) at = last.AddMinutes(_rng.Uniform(5, 30));
                }
                else if (!_rng.Chance(habit.Diligence * (isWeekend ? habit.Weekend : 1))) continue;

                var households = _rng.Next(20, 81);
                if (at < from || at >= to) continue;
                var round = new ScreeningRound($"s-{_seed}-{++_rounds}", gridId, at, village.ReporterIds[g], households, findings, reportIds);
                add(new SimulatedScreening(round));
            }
        }
        _openedToday.Clear();
    }

    private int LapseLength() => _rng.Chance(0.85)
        ? 2 + (int)Math.Round(_rng.Exponential(5))
        : _rng.Next(20, 61);

    /// <param name="Hour">When this worker usually goes round, China time.</param>
    /// <param name="Diligence">Chance of a round on a weekday with nothing to report.</param>
    /// <param name="Weekend">Factor on <paramref name="Diligence"/> on Saturdays and Sundays.</param>
    private sealed class Habit(double hour, double diligence, double weekend)
    {
        public double Hour { get; } = hour;
        public double Diligence { get; } = diligence;
        public double Weekend { get; } = weekend;
        public int LapseDaysLeft { get; set; }
    }
}

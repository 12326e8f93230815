using Warning.Analytics.Disputes;

namespace Warning.Analytics.Simulation;

/// <summary>What a case is at opening and stays: everything its course and its hazard are drawn from besides chance.</summary>
public sealed record CaseSetup(
    DisputeCategory Category,
    bool IsGroup,
    int Parties,
    int People,
    double? Amount,
    IReadOnlyList<CaseFlag> Flags,
    IReadOnlyList<string> Persons,
    bool DocumentedThreatKeyIndividual)
{
    public bool Threatened { get; } = Flags.Contains(CaseFlag.ThreatOfViolence);
}

/// <summary>One mediation attempt: filed as <c>mediating</c> at <see cref="StartedAt"/>, its outcome at <see cref="EndedAt"/>.</summary>
internal readonly record struct MediationStep(DateTimeOffset StartedAt, DateTimeOffset EndedAt, bool Succeeded, bool MediationCenterResult);

/// <summary>
/// A case's planned course before any harm: mediation attempts, referral, resolution, threat calls, and the hazard's
/// inputs taken over its first 30 days. <see cref="Draw"/> is the one place the course's chances are drawn, so the
/// simulator (<see cref="CaseLifecycle.Plan"/>) and the as-of oracle (<see cref="AsOfHarm"/>), which redraws the unseen
/// rest of a course many times, follow the same law. Reused between draws so the oracle does not allocate per draw.
/// </summary>
internal sealed class CaseCourse
{
    public static readonly TimeSpan Window = TimeSpan.FromDays(30);

    public DateTimeOffset OpenedAt { get; private set; }
    public DateTimeOffset? SettledOnSpotAt { get; private set; }
    public List<MediationStep> Steps { get; } = new(6);
    public int FailedTotal { get; private set; }
    public int FailedInWindow { get; private set; }
    public DateTimeOffset? FirstFailure { get; private set; }
    public DateTimeOffset? ReferredAt { get; private set; }
    public bool ToCourt { get; private set; }
    public DateTimeOffset CourtHeardAt { get; private set; }
    public bool CourtAgreed { get; private set; }
    public DateTimeOffset? ResolvedAt { get; private set; }
    public List<DateTimeOffset> ThreatCalls { get; } = new(3);
    public int ThreatsInWindow { get; private set; }

    /// <summary>The latest failed mediation or threat call in the window (or the opening): harm follows its warning signs.</summary>
    public DateTimeOffset LastPrecursor { get; private set; }

    public DateTimeOffset WindowEnd => OpenedAt + Window;

    /// <summary>Until when feed incidents can arrive for the case.</summary>
    public double LiveHours => Math.Max(1, ((ResolvedAt ?? WindowEnd) - OpenedAt).TotalHours);

    public double DaysOpen => ResolvedAt is { } closed ? Math.Min(HarmModel.DaysOpenCap, (closed - OpenedAt).TotalDays) : HarmModel.DaysOpenCap;

    public CaseFeatures Features(CaseSetup setup, int petitions = 0, int complaints = 0) =>
        new(setup.Category, setup.Flags, setup.People, setup.Amount, FailedInWindow, ThreatsInWindow, DaysOpen, setup.DocumentedThreatKeyIndividual, petitions, complaints);

    /// <summary>Earliest and latest moment harm can strike on this course (uniform in between), see <see cref="CaseLifecycle.Plan"/>.</summary>
    public (DateTimeOffset From, DateTimeOffset To) HarmSpan()
    {
        var anchor = Max(OpenedAt.AddHours(2), LastPrecursor.AddHours(1));
        var end = ResolvedAt is { } r && r < WindowEnd ? r : WindowEnd;
        return end > anchor ? (anchor, end) : (anchor.AddHours(1), anchor.AddHours(24));
    }

    public void Draw(Random rng, CaseSetup setup, DateTimeOffset openedAt)
    {
        OpenedAt = LastPrecursor = openedAt;
        SettledOnSpotAt = FirstFailure = ReferredAt = ResolvedAt = null;
        Steps.Clear();
        ThreatCalls.Clear();
        FailedTotal = FailedInWindow = ThreatsInWindow = 0;
        ToCourt = CourtAgreed = false;

        var profile = CategoryProfile.Of(setup.Category);
        var windowEnd = WindowEnd;
        var success = profile.MediationSuccess * (setup.Threatened ? 0.8 : 1) * (setup.IsGroup ? 0.85 : 1);
        var t = openedAt;
        var referred = false;

        if (!setup.IsGroup && !setup.Threatened && rng.Chance(0.12))
        {
            // 随手调: settled on the spot by the grid worker.
            ResolvedAt = SettledOnSpotAt = openedAt.AddHours(rng.Uniform(1, 6));
        }
        else
        {
            var attempts = 0;
            while (true)
            {
                attempts++;
                var started = t = t.AddHours(2 + rng.Exponential(profile.DaysBetweenAttempts * 24));
                t = t.AddHours(rng.Uniform(2, 48));
                if (rng.Chance(success))
                {
                    ResolvedAt = t;
                    Steps.Add(new MediationStep(started, t, true, rng.Chance(0.15)));
                    break;
                }
                Steps.Add(new MediationStep(started, t, false, false));
                FailedTotal++;
                FirstFailure ??= t;
                if (t < windowEnd) { FailedInWindow++; LastPrecursor = t; }
                if (attempts >= 6 || (attempts >= 3 && rng.Chance(0.5)) || rng.Chance(0.12)) { referred = true; break; }
                if (rng.Chance(0.02)) break; // stalls: nobody files again, the case stays open as failed
            }
        }

        if (referred)
        {
            ReferredAt = t = t.AddHours(rng.Uniform(24, 72));
            ToCourt = rng.Chance(0.6);
            if (ToCourt)
            {
                CourtHeardAt = t.AddDays(rng.Uniform(10, 40));
                CourtAgreed = rng.Chance(0.85);
                if (CourtAgreed) ResolvedAt = CourtHeardAt.AddDays(rng.Uniform(1, 3));
            }
            else if (rng.Chance(0.75))
            {
                ResolvedAt = t.AddDays(rng.Uniform(5, 30));
            }
        }

        var liveHours = LiveHours;
        var threatened = setup.Threatened;
        var calls = (threatened && rng.Chance(0.45) ? 1 : 0) + (threatened && rng.Chance(0.15) ? 1 : 0) + (rng.Chance(0.015 + 0.05 * FailedTotal) ? 1 : 0);
        for (var i = 0; i < calls; i++)
        {
            var at = openedAt.AddHours(rng.Uniform(1, liveHours));
            ThreatCalls.Add(at);
            if (at < windowEnd) { ThreatsInWindow++; if (at > LastPrecursor) LastPrecursor = at; }
        }
    }

    /// <summary>What anyone watching the case has seen of this course by <paramref name="at"/> (harm aside).</summary>
    public CourseSeen SeenAt(DateTimeOffset at)
    {
        int started = 0, failed = 0;
        var resolved = ResolvedAt is { } r && r <= at;
        foreach (var step in Steps)
        {
            if (step.StartedAt > at) break;
            started++;
            if (!step.Succeeded && step.EndedAt <= at) failed++;
        }
        var threats = 0;
        foreach (var call in ThreatCalls) if (call <= at) threats++;
        return new CourseSeen(started, failed, ReferredAt is { } referred && referred <= at, resolved, threats);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}

/// <summary>
/// The observable state of a case's course at a moment: mediation attempts filed, failures filed, referred, resolved,
/// threat calls linked. It is what the as-of oracle conditions on (the exact times are not matched).
/// </summary>
public readonly record struct CourseSeen(int Attempts, int Failures, bool Referred, bool Resolved, int ThreatCalls);

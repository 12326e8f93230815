using Warning.Analytics.Disputes;

namespace Warning.Analytics.Simulation;

/// <summary>
/// Plans one dispute from opening to its end: the screening reports a grid worker files as mediation goes on
/// (screened → mediating → resolved | failed → … → referred → resolved), the feed incidents linked to it, and its
/// ground-truth harm. The whole course is planned at opening; the simulator releases it in time order.
/// </summary>
internal static class CaseLifecycle
{
    private static readonly CaseFlag[] NoFlags = [];
    private static readonly string[] NoPersons = [];

    public static CaseTruth Plan(RunContext run, VillageModel village, int gridIndex, DisputeCategory category, DateTimeOffset openedAt, List<SimulatedEvent> output)
    {
        var rng = run.Rng;
        var profile = CategoryProfile.Of(category);
        var gridId = village.GridIds[gridIndex];
        var reporterId = village.ReporterIds[gridIndex];

        // Who is involved.
        var isGroup = profile.GroupChance > 0 && rng.Chance(profile.GroupChance);
        int parties, people;
        if (isGroup)
        {
            var (min, max) = profile.GroupSize;
            people = (int)Math.Round(min * Math.Pow((double)max / min, rng.NextDouble())); // log-uniform: many small groups, few big ones
            parties = Math.Clamp(people / rng.Next(3, 10), 2, 10_000);
        }
        else
        {
            var u = rng.NextDouble();
            parties = u < 0.75 ? 2 : u < 0.90 ? 3 : u < 0.98 ? rng.Next(4, 7) : rng.Next(7, 11);
            people = parties + rng.Poisson(1.5); // relatives and witnesses drawn in
        }

        double? amount = null;
        if (rng.Chance(profile.AmountPresent))
        {
            var raw = rng.LogNormal(profile.AmountMedian, profile.AmountSigma) * (isGroup ? people * 0.3 : 1);
            amount = Math.Clamp(Math.Round(raw / 100) * 100, 100, 1e10);
        }

        var flags = DrawFlags(rng, profile);
        var threatened = flags.Contains(CaseFlag.ThreatOfViolence);

        // A registered key individual in the same village takes part now and then, far more often when threats fly.
        var persons = NoPersons;
        var documentedThreat = false;
        if (village.KeyIndividuals.Count > 0 && rng.Chance(threatened ? 0.35 : 0.03))
        {
            KeyIndividual? chosen = null;
            foreach (var ki in village.KeyIndividuals)
            {
                if (ki.BasisReviewedAt > openedAt || ki.BasisExpiresAt <= openedAt) continue;
                if (chosen is null || (threatened && ki.Basis == SupervisionBasis.DocumentedThreat)) chosen = ki;
            }
            if (chosen is not null)
            {
                persons = [chosen.PersonId];
                documentedThreat = chosen.Basis == SupervisionBasis.DocumentedThreat;
            }
        }

        var start = output.Count;
        var openingId = run.NextReportId();
        var caseId = CaseIds.FromOpeningReport(openingId);
        var openSummary = Summaries.Open(rng, category, people);
        output.Add(new SimulatedReport(new ScreeningReport(openingId, gridId, openedAt, reporterId, null, category, CaseStatus.Screened,
            parties, people, amount, 0, flags, persons, openSummary)));

        void Report(DateTimeOffset at, CaseStatus status, int attempts, string summary, IReadOnlyList<CaseFlag>? withFlags = null) =>
            output.Add(new SimulatedReport(new ScreeningReport(run.NextReportId(), gridId, at, reporterId, caseId, category, status,
                parties, people, amount, attempts, withFlags ?? flags, persons, summary)));

        void Incident(DateTimeOffset at, IncidentSource source, IncidentType type, int severity, string summary, IReadOnlyList<string>? who = null) =>
            output.Add(new SimulatedIncident(new Incident(run.NextIncidentId(), source, type, at, gridId, caseId, who ?? NoPersons, severity, summary)));

        // The course before any harm, drawn in one place so the as-of oracle redraws it by the same law.
        var setup = new CaseSetup(category, isGroup, parties, people, amount, flags, persons, documentedThreat);
        var course = new CaseCourse();
        course.Draw(rng, setup, openedAt);
        var resolvedAt = course.ResolvedAt;
        var attempts = 0;
        if (course.SettledOnSpotAt is { } onSpot)
        {
            attempts = 1;
            Report(onSpot, CaseStatus.Resolved, attempts, Summaries.ResolvedOnSpot);
        }
        foreach (var step in course.Steps)
        {
            attempts++;
            Report(step.StartedAt, CaseStatus.Mediating, attempts, attempts == 1 ? Summaries.Mediating : Summaries.MediatingAgain);
            if (step.Succeeded)
            {
                Report(step.EndedAt, CaseStatus.Resolved, attempts, Summaries.Resolved);
                if (step.MediationCenterResult) Incident(step.EndedAt.AddMinutes(30), IncidentSource.MediationCenter, IncidentType.MediationResult, 1, Summaries.MediationCenterResult);
            }
            else
            {
                Report(step.EndedAt, CaseStatus.Failed, attempts, Summaries.Failed);
            }
        }
        var referred = course.ReferredAt is not null;
        if (course.ReferredAt is { } referredAt)
        {
            Report(referredAt, CaseStatus.Referred, attempts, course.ToCourt ? Summaries.ReferredToCourt : Summaries.Referred);
            if (course.ToCourt)
                Incident(course.CourtHeardAt, IncidentSource.Court, IncidentType.MediationResult, 1, course.CourtAgreed ? Summaries.CourtResultAgreed : Summaries.CourtResultFailed);
            if (resolvedAt is { } r) Report(r, CaseStatus.Resolved, attempts, Summaries.ResolvedAfterReferral);
        }

        // Feed incidents while the case is live.
        foreach (var at in course.ThreatCalls) Incident(at, IncidentSource.Police110, IncidentType.Threat, 3, Summaries.ThreatCall, persons);
        var liveHours = course.LiveHours;
        var failedTotal = course.FailedTotal;
        var windowEnd = course.WindowEnd;
        var lastPrecursor = course.LastPrecursor;

        var complaints = 0;
        var complaintProne = category is DisputeCategory.PropertyMgmt or DisputeCategory.Environment or DisputeCategory.Consumer or DisputeCategory.LaborWage;
        if (rng.Chance(0.05 + 0.08 * failedTotal + (complaintProne ? 0.08 : 0)))
        {
            complaints++;
            Incident(openedAt.AddHours(rng.Uniform(1, liveHours)), IncidentSource.Hotline12345, IncidentType.Complaint, 2, Summaries.Complaint);
        }

        // Petitions follow unresolved grievances. They are recorded, and the hazard below never sees them.
        var petitions = 0;
        if (course.FirstFailure is { } failedAt && (failedTotal >= 2 || referred))
        {
            var petitionProne = category is DisputeCategory.Land or DisputeCategory.Demolition or DisputeCategory.LaborWage;
            if (rng.Chance(0.15 + (petitionProne ? 0.10 : 0)))
            {
                petitions++;
                Incident(failedAt.AddDays(rng.Uniform(1, 20)), IncidentSource.Petition, IncidentType.PetitionVisit, 2, Summaries.PetitionVisit);
            }
        }

        // Ground truth.
        var features = course.Features(setup, petitions, complaints);
        var probability = HarmModel.Probability30Days(features);
        var harmed = rng.Chance(probability);
        DateTimeOffset? harmAt = null;
        IncidentType? harmKind = null;
        var resolvesEventually = resolvedAt is not null;

        if (harmed)
        {
            // Harm follows its warning signs: after the last failed mediation or threat call in the window, before it closes.
            var anchor = Max(openedAt.AddHours(2), lastPrecursor.AddHours(1));
            var end = resolvedAt is { } r && r < windowEnd ? r : windowEnd;
            var at = end > anchor ? anchor + (end - anchor) * rng.NextDouble() : anchor.AddHours(rng.Uniform(1, 24));
            var kind = DrawHarmKind(rng, flags);
            harmAt = at;
            harmKind = kind;

            // The planned course after the harm never happens: the case goes to the police instead.
            output.RemoveFrom(start, e => e.At > at);
            var source = kind == IncidentType.Injury && rng.Chance(0.2) ? IncidentSource.Other : IncidentSource.Police110;
            Incident(at, source, kind, kind is IncidentType.Violence ? 4 : 5, Summaries.Harm(kind), persons);
            var after = kind is IncidentType.Violence or IncidentType.Injury && !flags.Contains(CaseFlag.Injury) ? WithInjury(flags) : flags;
            var handedOver = at.AddHours(rng.Uniform(2, 12));
            Report(handedOver, CaseStatus.Referred, attempts, Summaries.ReferredAfterHarm, after);
            // The police and courts usually settle the underlying dispute in the end, though later than mediation would have.
            resolvesEventually = rng.Chance(0.6);
            if (resolvesEventually) Report(handedOver.AddDays(rng.Uniform(15, 60)), CaseStatus.Resolved, attempts, Summaries.ResolvedAfterReferral, after);
        }

        return new CaseTruth(caseId, gridId, category, openedAt, probability, harmed, harmAt, harmKind)
        {
            Features = features,
            Setup = setup,
            ResolvesEventually = resolvesEventually,
        };
    }

    private static IReadOnlyList<CaseFlag> DrawFlags(Random rng, CategoryProfile profile)
    {
        List<CaseFlag>? flags = null;
        var prevalence = profile.FlagPrevalence;
        for (var i = 0; i < prevalence.Length; i++)
        {
            var flag = (CaseFlag)i;
            // A weapon is mostly mentioned alongside a threat.
            var p = flag == CaseFlag.WeaponMentioned && flags?.Contains(CaseFlag.ThreatOfViolence) == true ? 0.25 : prevalence[i];
            if (rng.Chance(p)) (flags ??= new List<CaseFlag>(2)).Add(flag);
        }
        return flags is null ? NoFlags : flags.ToArray();
    }

    private static IncidentType DrawHarmKind(Random rng, IReadOnlyList<CaseFlag> flags)
    {
        var u = rng.NextDouble();
        var selfHarm = flags.Contains(CaseFlag.SelfHarmRisk) ? 0.5 : 0.08;
        if (u < selfHarm) return IncidentType.SelfHarm;
        u = rng.NextDouble();
        return u < 0.15 ? IncidentType.CriminalCase : u < 0.65 ? IncidentType.Violence : IncidentType.Injury;
    }

    private static CaseFlag[] WithInjury(IReadOnlyList<CaseFlag> flags) => flags.Append(CaseFlag.Injury).OrderBy(f => f).ToArray();

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static void RemoveFrom(this List<SimulatedEvent> list, int start, Func<SimulatedEvent, bool> drop)
    {
        var write = start;
        for (var read = start; read < list.Count; read++)
            if (!drop(list[read])) list[write++] = list[read];
        list.RemoveRange(write, list.Count - write);
    }
}

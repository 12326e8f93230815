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
    private static readonly TimeSpan Window = TimeSpan.FromDays(30);

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

        // Mediation, attempt after attempt.
        var windowEnd = openedAt + Window;
        var success = profile.MediationSuccess * (threatened ? 0.8 : 1) * (isGroup ? 0.85 : 1);
        var t = openedAt;
        var attempts = 0;
        var failedInWindow = 0;
        var failedTotal = 0;
        DateTimeOffset? resolvedAt = null, firstFailure = null;
        var lastPrecursor = openedAt;
        var referred = false;

        if (!isGroup && !threatened && rng.Chance(0.12))
        {
            // 随手调: settled on the spot by the grid worker.
            attempts = 1;
            resolvedAt = t = openedAt.AddHours(rng.Uniform(1, 6));
            Report(t, CaseStatus.Resolved, attempts, Summaries.ResolvedOnSpot);
        }
        else
        {
            while (true)
            {
                attempts++;
                t = t.AddHours(2 + rng.Exponential(profile.DaysBetweenAttempts * 24));
                Report(t, CaseStatus.Mediating, attempts, attempts == 1 ? Summaries.Mediating : Summaries.MediatingAgain);
                t = t.AddHours(rng.Uniform(2, 48));
                if (rng.Chance(success))
                {
                    resolvedAt = t;
                    Report(t, CaseStatus.Resolved, attempts, Summaries.Resolved);
                    if (rng.Chance(0.15)) Incident(t.AddMinutes(30), IncidentSource.MediationCenter, IncidentType.MediationResult, 1, Summaries.MediationCenterResult);
                    break;
                }
                Report(t, CaseStatus.Failed, attempts, Summaries.Failed);
                failedTotal++;
                firstFailure ??= t;
                if (t < windowEnd) { failedInWindow++; lastPrecursor = t; }
                if (attempts >= 6 || (attempts >= 3 && rng.Chance(0.5)) || rng.Chance(0.12)) { referred = true; break; }
                if (rng.Chance(0.02)) break; // stalls: nobody files again, the case stays open as failed
            }
        }

        if (referred)
        {
            t = t.AddHours(rng.Uniform(24, 72));
            var toCourt = rng.Chance(0.6);
            Report(t, CaseStatus.Referred, attempts, toCourt ? Summaries.ReferredToCourt : Summaries.Referred);
            if (toCourt)
            {
                var heard = t.AddDays(rng.Uniform(10, 40));
                var agreed = rng.Chance(0.85);
                Incident(heard, IncidentSource.Court, IncidentType.MediationResult, 1, agreed ? Summaries.CourtResultAgreed : Summaries.CourtResultFailed);
                if (agreed)
                {
                    resolvedAt = heard.AddDays(rng.Uniform(1, 3));
                    Report(resolvedAt.Value, CaseStatus.Resolved, attempts, Summaries.ResolvedAfterReferral);
                }
            }
            else if (rng.Chance(0.75))
            {
                resolvedAt = t.AddDays(rng.Uniform(5, 30));
                Report(resolvedAt.Value, CaseStatus.Resolved, attempts, Summaries.ResolvedAfterReferral);
            }
        }

        // Feed incidents while the case is live.
        var liveUntil = resolvedAt ?? windowEnd;
        var liveHours = Math.Max(1, (liveUntil - openedAt).TotalHours);
        var threatCalls = (threatened && rng.Chance(0.45) ? 1 : 0) + (threatened && rng.Chance(0.15) ? 1 : 0) + (rng.Chance(0.015 + 0.05 * failedTotal) ? 1 : 0);
        var threatsInWindow = 0;
        for (var i = 0; i < threatCalls; i++)
        {
            var at = openedAt.AddHours(rng.Uniform(1, liveHours));
            Incident(at, IncidentSource.Police110, IncidentType.Threat, 3, Summaries.ThreatCall, persons);
            if (at < windowEnd) { threatsInWindow++; if (at > lastPrecursor) lastPrecursor = at; }
        }

        var complaints = 0;
        var complaintProne = category is DisputeCategory.PropertyMgmt or DisputeCategory.Environment or DisputeCategory.Consumer or DisputeCategory.LaborWage;
        if (rng.Chance(0.05 + 0.08 * failedTotal + (complaintProne ? 0.08 : 0)))
        {
            complaints++;
            Incident(openedAt.AddHours(rng.Uniform(1, liveHours)), IncidentSource.Hotline12345, IncidentType.Complaint, 2, Summaries.Complaint);
        }

        // Petitions follow unresolved grievances. They are recorded, and the hazard below never sees them.
        var petitions = 0;
        if (firstFailure is { } failedAt && (failedTotal >= 2 || referred))
        {
            var petitionProne = category is DisputeCategory.Land or DisputeCategory.Demolition or DisputeCategory.LaborWage;
            if (rng.Chance(0.15 + (petitionProne ? 0.10 : 0)))
            {
                petitions++;
                Incident(failedAt.AddDays(rng.Uniform(1, 20)), IncidentSource.Petition, IncidentType.PetitionVisit, 2, Summaries.PetitionVisit);
            }
        }

        // Ground truth.
        var daysOpen = resolvedAt is { } closed ? Math.Min(HarmModel.DaysOpenCap, (closed - openedAt).TotalDays) : HarmModel.DaysOpenCap;
        var features = new CaseFeatures(category, flags, people, amount, failedInWindow, threatsInWindow, daysOpen, documentedThreat, petitions, complaints);
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

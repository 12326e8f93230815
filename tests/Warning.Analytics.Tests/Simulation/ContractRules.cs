using System.Text.RegularExpressions;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;

namespace Warning.Analytics.Tests.Simulation;

/// <summary>The field rules of CONTRACTS.md, restated independently of the server so the simulator is checked against the text.</summary>
internal static partial class ContractRules
{
    [GeneratedRegex("^[A-Za-z0-9._:-]{1,64}$")]
    private static partial Regex IdPattern();

    public static bool IsId(string? id) => id is not null && IdPattern().IsMatch(id);

    public static IEnumerable<string> Check(ScreeningReport r, AreaHierarchy city, ISet<string> registeredPersons)
    {
        if (!IsId(r.ReportId)) yield return $"reportId '{r.ReportId}'";
        if (!IsId(r.GridId)) yield return $"gridId '{r.GridId}'";
        else if (!city.Contains(r.GridId)) yield return $"gridId '{r.GridId}' unknown";
        if (!IsId(r.ReporterId)) yield return $"reporterId '{r.ReporterId}'";
        if (r.CaseId is not null && !IsId(r.CaseId)) yield return $"caseId '{r.CaseId}'";
        if (!Enum.IsDefined(r.Category)) yield return "category";
        if (!Enum.IsDefined(r.Status)) yield return "status";
        if (r.PartiesCount is < 2 or > 10_000) yield return $"partiesCount {r.PartiesCount}";
        if (r.PeopleInvolved < r.PartiesCount || r.PeopleInvolved > 100_000) yield return $"peopleInvolved {r.PeopleInvolved}";
        if (r.AmountInDispute is { } a && (a < 0 || a > 1e10 || double.IsNaN(a))) yield return $"amountInDispute {a}";
        if (r.MediationAttempts is < 0 or > 100) yield return $"mediationAttempts {r.MediationAttempts}";
        if (r.Flags.Any(f => !Enum.IsDefined(f))) yield return "flags";
        if (r.Flags.Distinct().Count() != r.Flags.Count) yield return "flags repeat";
        foreach (var p in r.PersonIds)
            if (!IsId(p) || !registeredPersons.Contains(p)) yield return $"personId '{p}'";
        if (r.Summary is { Length: > 2000 }) yield return "summary too long";
        if (r.ReportedAt.Offset != TimeSpan.FromHours(8)) yield return "reportedAt offset";
    }

    public static IEnumerable<string> Check(Incident i, AreaHierarchy city, ISet<string> registeredPersons)
    {
        if (!IsId(i.IncidentId)) yield return $"incidentId '{i.IncidentId}'";
        if (!Enum.IsDefined(i.Source)) yield return "source";
        if (!Enum.IsDefined(i.Type)) yield return "type";
        if (!IsId(i.GridId)) yield return $"gridId '{i.GridId}'";
        else if (!city.Contains(i.GridId)) yield return $"gridId '{i.GridId}' unknown";
        if (i.CaseId is not null && !IsId(i.CaseId)) yield return $"caseId '{i.CaseId}'";
        foreach (var p in i.PersonIds)
            if (!IsId(p) || !registeredPersons.Contains(p)) yield return $"personId '{p}'";
        if (i.Severity is < 1 or > 5) yield return $"severity {i.Severity}";
        if (i.Summary is { Length: > 2000 }) yield return "summary too long";
    }
}

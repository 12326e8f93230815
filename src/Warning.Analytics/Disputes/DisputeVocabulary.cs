using System.Text.Json.Serialization;
using Orleans;

namespace Warning.Analytics.Disputes;

// Wire names are snake_case (CONTRACTS.md); the converter below maps them to these members.

[GenerateSerializer, Alias("DisputeCategory")]
public enum DisputeCategory
{
    Land, Demolition, MarriageFamily, Neighbor, LaborWage, Debt, PropertyMgmt, Medical, Traffic, Consumer, Environment, Other,
}

[GenerateSerializer, Alias("CaseStatus")]
public enum CaseStatus { Screened, Mediating, Resolved, Failed, Referred }

[GenerateSerializer, Alias("CaseFlag")]
public enum CaseFlag
{
    ThreatOfViolence, WeaponMentioned, PriorViolence, Injury, SelfHarmRisk, VulnerableParty, CrossRegion, RepeatDispute,
}

[GenerateSerializer, Alias("IncidentSource")]
public enum IncidentSource { Police110, Hotline12345, Petition, Court, MediationCenter, Corrections, Other }

[GenerateSerializer, Alias("IncidentType")]
public enum IncidentType
{
    Violence, Threat, Injury, SelfHarm, CriminalCase, Complaint, PetitionVisit, CheckIn, CheckInMissed, MediationResult, Other,
}

/// <summary>What a screening round found: nothing (零报告), or disputes it filed reports for.</summary>
[GenerateSerializer, Alias("ScreeningFindings")]
public enum ScreeningFindings { None, DisputesReported }

/// <summary>The legal or care basis that makes someone a key individual (DESIGN.md); nothing else qualifies.</summary>
[GenerateSerializer, Alias("SupervisionBasis")]
public enum SupervisionBasis { CommunityCorrections, ResettlementAssistance, SevereMentalDisorderCare, DocumentedThreat }

public static class DisputeVocabulary
{
    /// <summary>Converter that reads and writes every enum of the contracts in snake_case and rejects unknown names.</summary>
    public static JsonStringEnumConverter EnumConverter { get; } = new(System.Text.Json.JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false);

    public static string WireName<TEnum>(TEnum value) where TEnum : struct, Enum => Names<TEnum>.ToWire[value];

    public static bool TryParse<TEnum>(string? wire, out TEnum value) where TEnum : struct, Enum
    {
        if (wire is not null && Names<TEnum>.FromWire.TryGetValue(wire, out value)) return true;
        value = default;
        return false;
    }

    public static IReadOnlyList<string> WireNames<TEnum>() where TEnum : struct, Enum => Names<TEnum>.All;

    public static bool IsOpen(this CaseStatus status) => status is CaseStatus.Screened or CaseStatus.Mediating;

    /// <summary>Not settled yet: open, or failed mediation and not handed on; what handling deadlines (seed 002) run against.</summary>
    public static bool IsUnsettled(this CaseStatus status) => status.IsOpen() || status == CaseStatus.Failed;

    private static class Names<TEnum> where TEnum : struct, Enum
    {
        // Special wire names that the snake_case policy would spell differently.
        private static readonly Dictionary<string, string> Overrides = new()
        {
            ["Police110"] = "police_110",
            ["Hotline12345"] = "hotline_12345",
        };

        public static readonly Dictionary<TEnum, string> ToWire = Enum.GetValues<TEnum>().ToDictionary(
            v => v,
            v => Overrides.TryGetValue(v.ToString(), out var o) ? o : System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()));

        public static readonly Dictionary<string, TEnum> FromWire = ToWire.ToDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);

        public static readonly IReadOnlyList<string> All = ToWire.Values.ToArray();
    }
}

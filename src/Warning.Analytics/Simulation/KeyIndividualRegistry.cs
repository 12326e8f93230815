using Warning.Analytics.Disputes;

namespace Warning.Analytics.Simulation;

/// <summary>
/// Draws the key individuals (重点人员) of the simulated city. Each has one recorded basis with a review date and an
/// expiry, as DESIGN.md requires; ids are pseudonymous and carry no name.
/// </summary>
internal static class KeyIndividualRegistry
{
    // Rough mix for a Gansu prefecture: corrections and resettlement dominate, documented threats are the fewest.
    private static readonly (SupervisionBasis Basis, double Share, string Prefix, double MinDays, double MaxDays)[] Bases =
    [
        (SupervisionBasis.CommunityCorrections, 0.35, "sqjz", 180, 3 * 365),
        (SupervisionBasis.ResettlementAssistance, 0.25, "azbj", 365, 5 * 365),
        (SupervisionBasis.SevereMentalDisorderCare, 0.20, "jsza", 365, 365),
        (SupervisionBasis.DocumentedThreat, 0.20, "wxjl", 180, 365),
    ];

    public static void Populate(Random rng, IReadOnlyList<VillageModel> villages, SimulatorOptions options, List<KeyIndividual> registry)
    {
        var cumulative = new double[Bases.Length];
        for (var i = 0; i < Bases.Length; i++) cumulative[i] = (i == 0 ? 0 : cumulative[i - 1]) + Bases[i].Share;

        foreach (var village in villages)
        {
            var count = rng.Poisson(options.KeyIndividualsPerVillage);
            for (var k = 0; k < count; k++)
            {
                var (basis, _, prefix, minDays, maxDays) = Bases[rng.PickCumulative(cumulative)];
                var reviewed = options.RegistryAsOf.AddDays(-rng.Uniform(0, 180)).AddMinutes(-rng.Next(0, 600));
                var expires = reviewed.AddDays(rng.Uniform(minDays, maxDays));
                var n = registry.Count + 1;
                var person = new KeyIndividual(
                    $"ki-{options.Seed}-{n:00000}",
                    rng.Pick(village.GridIds),
                    basis,
                    $"{prefix}-{reviewed.Year}-{n:00000}",
                    reviewed,
                    expires);
                registry.Add(person);
                village.KeyIndividuals.Add(person);
            }
        }
    }
}

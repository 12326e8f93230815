namespace Warning.Analytics.Simulation;

/// <summary>The mutable state of one run: its random stream and id counters. Ids depend only on the seed and the order of generation.</summary>
internal sealed class RunContext(int seed, Random rng)
{
    private long _reports;
    private long _incidents;

    public Random Rng { get; } = rng;

    public string NextReportId() => $"r-{seed}-{++_reports}";

    public string NextIncidentId() => $"i-{seed}-{++_incidents}";
}

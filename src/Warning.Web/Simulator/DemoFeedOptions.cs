namespace Warning.Web.Simulator;

public sealed class DemoFeedOptions
{
    public const string Section = "Simulator";

    /// <summary>Turns on the live demo feed of simulated reports and incidents.</summary>
    public bool Enabled { get; set; }

    public int Seed { get; set; } = 42;

    /// <summary>Simulated seconds per wall-clock second.</summary>
    public double Speed { get; set; } = 60;

    /// <summary>Days of history written (fast-forward) before the live feed starts, when the store is empty.</summary>
    public int HistoryDays { get; set; } = 30;

    /// <summary>
    /// Dispute clusters planted per 30 days across the city. More than the simulator's default of 4, so that on most
    /// days a cluster is under way and the big screen's spike ticker has something to show.
    /// </summary>
    public double SpikesPerMonth { get; set; } = 20;
}

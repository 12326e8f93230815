namespace Warning.Silo.Areas;

public sealed class ScreeningOptions
{
    public const string Section = "Screening";

    /// <summary>How recent a grid's last screening round (or report) must be to count as compliant (DESIGN.md: community daily).</summary>
    public TimeSpan GridCadence { get; set; } = TimeSpan.FromDays(1);
}

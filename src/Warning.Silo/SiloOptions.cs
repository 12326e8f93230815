namespace Warning.Silo;

/// <summary>How this node's Orleans silo joins its cluster (section <c>Orleans</c>).</summary>
public sealed class SiloOptions
{
    public const string Section = "Orleans";

    /// <summary>Silo-to-silo port on loopback; one node alone still needs one free.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port for external Orleans clients; 0 (the default) opens none: the web API is co-hosted and calls grains in process.</summary>
    public int GatewayPort { get; set; }

    public string ClusterId { get; set; } = "warning";

    /// <summary>Stable across deployments: grain state is keyed without it, but reminders and the dashboard name it.</summary>
    public string ServiceId { get; set; } = "warning";

    /// <summary>
    /// The Orleans dashboard's statistics (served at <c>/orleans</c> by Warning.Web). It times every grain call, which
    /// costs CPU at full ingest; a node that needs it all can turn it off.
    /// </summary>
    public bool Dashboard { get; set; } = true;

    /// <summary>
    /// The dashboard's live log stream (<c>/orleans/Trace</c>). Off: it sends every log line of the node (request paths
    /// with case and person ids, failed sign-ins' user names) to the operator role, which issue 13 keeps away from case
    /// and person data, and each request holds its connection for up to an hour. Operators read the log files instead.
    /// </summary>
    public bool DashboardTrace { get; set; }

    /// <summary>A grain not called for this long is written and deactivated (memory for a province's cases).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The idle timeout of the grains there are many of and each is called rarely: cases, grids and key individuals. A
    /// province holds 200,000 open cases and 100,000 grids; every activation costs about 2 KB of Orleans bookkeeping
    /// besides its state, and a case applied once is often not called again for hours. Must exceed
    /// <see cref="CollectionQuantum"/>.
    /// </summary>
    public TimeSpan LeafIdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often idle activations are looked for (Orleans' collection quantum).</summary>
    public TimeSpan CollectionQuantum { get; set; } = TimeSpan.FromSeconds(30);
}

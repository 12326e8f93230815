using Microsoft.Extensions.Options;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Cluster;

namespace Warning.Silo.Ingest;

/// <summary>
/// Which partition of the log an accepted record goes to. Embedded: everything in partition 0, applied by the one node.
/// Cluster: one partition per county (the level under the root, in id order, from 1), so each county's entries are
/// applied in order by one owner while counties go side by side on different nodes; key individuals and re-score ticks,
/// which belong to no county, go to partition 0. An incident on a case goes where the case's reports go, so a case's
/// entries stay in one order.
/// </summary>
public sealed class IngestPartitions
{
    private readonly AreaHierarchy _hierarchy;
    private readonly Dictionary<string, int> _byCounty = new(StringComparer.Ordinal);

    public IngestPartitions(AreaHierarchy hierarchy, IOptions<ClusterModeOptions> cluster)
    {
        _hierarchy = hierarchy;
        if (!cluster.Value.Enabled) return;
        var counties = hierarchy.Roots.SelectMany(r => hierarchy.ChildrenOf(r.Id)).Select(a => a.Id).Order(StringComparer.Ordinal).ToList();
        for (var i = 0; i < counties.Count; i++) _byCounty[counties[i]] = i + 1;
    }

    /// <summary>Partitions 0 … Count-1.</summary>
    public int Count => _byCounty.Count + 1;

    /// <summary>The county area of each partition above 0 (for logs and the failover report).</summary>
    public string NameOf(int partition) => partition == 0 ? "(none)" : _byCounty.First(c => c.Value == partition).Key;

    public int Of(object record, KnownIds known) => record switch
    {
        _ when _byCounty.Count == 0 => 0,
        ScreeningReport r => OfGrid(r.GridId),
        Incident n => OfGrid(n.CaseId is { } caseId && known.GridOfCase(caseId) is { } caseGrid ? caseGrid : n.GridId),
        ScreeningRound s => OfGrid(s.GridId),
        _ => 0,
    };

    private int OfGrid(string gridId)
    {
        if (!_hierarchy.TryGet(gridId, out _)) return 0;
        var path = _hierarchy.PathToRoot(gridId);
        foreach (var area in path)
            if (_byCounty.TryGetValue(area.Id, out var partition)) return partition;
        return 0;
    }
}

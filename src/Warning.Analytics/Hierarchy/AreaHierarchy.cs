namespace Warning.Analytics.Hierarchy;

/// <summary>
/// The loaded administrative tree: city → county → township → village/community → grid. Immutable once built;
/// the constructor rejects an inconsistent set of areas with a <see cref="HierarchyException"/> naming the area.
/// </summary>
public sealed class AreaHierarchy
{
    private static readonly IReadOnlyList<Area> NoChildren = Array.Empty<Area>();
    private readonly Dictionary<string, Area> _byId;
    private readonly Dictionary<string, List<Area>> _children;
    private readonly Dictionary<string, Area[]> _pathToRoot;

    public AreaHierarchy(IEnumerable<Area> areas)
    {
        _byId = new Dictionary<string, Area>(StringComparer.Ordinal);
        var index = 0;
        foreach (var area in areas)
        {
            // Without an id the position is the only handle a person fixing the file has.
            if (string.IsNullOrWhiteSpace(area.Id)) throw new HierarchyException("#" + index, "id is missing");
            index++;
            if (!_byId.TryAdd(area.Id, area)) throw new HierarchyException(area.Id, "duplicate id");
        }

        _children = new Dictionary<string, List<Area>>(StringComparer.Ordinal);
        var roots = new List<Area>();
        foreach (var area in _byId.Values)
        {
            if (area.ParentId is null)
            {
                roots.Add(area);
                continue;
            }
            if (area.ParentId == area.Id) throw new HierarchyException(area.Id, "is its own parent (cycle)");
            if (!_byId.TryGetValue(area.ParentId, out var parent))
                throw new HierarchyException(area.Id, $"unknown parent '{area.ParentId}'");
            if (parent.Level >= area.Level)
                throw new HierarchyException(area.Id, $"level '{Area.LevelName(area.Level)}' cannot sit under '{parent.Id}' of level '{Area.LevelName(parent.Level)}'");
            if (!_children.TryGetValue(parent.Id, out var list)) _children[parent.Id] = list = new List<Area>();
            list.Add(area);
        }

        // Strictly increasing levels along every parent link rule out cycles; this walk also builds the paths.
        _pathToRoot = new Dictionary<string, Area[]>(_byId.Count, StringComparer.Ordinal);
        foreach (var area in _byId.Values)
        {
            var path = new List<Area>(5);
            var current = area;
            while (current is not null)
            {
                path.Add(current);
                if (path.Count > 5) throw new HierarchyException(area.Id, "ancestor chain is longer than five levels (cycle)");
                current = current.ParentId is null ? null : _byId[current.ParentId];
            }
            _pathToRoot[area.Id] = path.ToArray();
        }

        if (roots.Count == 0 && _byId.Count > 0) throw new HierarchyException("?", "no root area (every area has a parent)");
        foreach (var list in _children.Values) list.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        roots.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        Roots = roots;
    }

    public IReadOnlyList<Area> Roots { get; }

    public int Count => _byId.Count;

    public IEnumerable<Area> All => _byId.Values;

    public Area this[string id] => _byId[id];

    public bool Contains(string id) => _byId.ContainsKey(id);

    public bool TryGet(string id, out Area area) => _byId.TryGetValue(id, out area!);

    public IReadOnlyList<Area> ChildrenOf(string id) => _children.TryGetValue(id, out var list) ? list : NoChildren;

    /// <summary>The area itself first, then its parent, up to the root.</summary>
    public IReadOnlyList<Area> PathToRoot(string id) => _pathToRoot[id];

    /// <summary>The village a grid belongs to, or the village itself; null for any other area or an unknown id.</summary>
    public Area? VillageOf(string id) =>
        !_byId.TryGetValue(id, out var area) ? null
        : area.Level == AreaLevel.Village ? area
        : area.Level == AreaLevel.Grid && area.ParentId is { } parent && _byId.TryGetValue(parent, out var village) ? village
        : null;

    public IEnumerable<Area> AtLevel(AreaLevel level) => _byId.Values.Where(a => a.Level == level);

    /// <summary>All areas under <paramref name="id"/> at <paramref name="level"/> (the area itself if it is at that level).</summary>
    public IEnumerable<Area> Descendants(string id, AreaLevel level)
    {
        var stack = new Stack<Area>();
        stack.Push(_byId[id]);
        while (stack.Count > 0)
        {
            var a = stack.Pop();
            if (a.Level == level) { yield return a; continue; }
            foreach (var c in ChildrenOf(a.Id)) stack.Push(c);
        }
    }
}

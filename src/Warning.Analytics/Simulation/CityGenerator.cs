using Warning.Analytics.Hierarchy;

namespace Warning.Analytics.Simulation;

/// <summary>
/// Makes a plausible administrative tree with boundaries for demos and tests. Polygons tile exactly: each parent's
/// rectangle is cut (guillotine style, along its longer side) into children weighted by how many grids they hold, so
/// areas are roughly proportional to population and nothing overlaps or leaves a gap.
/// </summary>
public static class CityGenerator
{
    public static AreaHierarchy Generate(int seed) => Generate(CityShape.Dingxi, seed);

    public static AreaHierarchy Generate(CityShape shape, int seed)
    {
        var rng = new Random(seed);
        var city = new Node(shape.Id, shape.Name, AreaLevel.City, "city");

        foreach (var county in shape.Counties)
        {
            var countyNode = city.Add(new Node(county.Id, county.Name, AreaLevel.County, county.Name.EndsWith('区') ? "district" : "county"));
            var townshipNames = new HashSet<string>();
            if (county.SeatTown is not null) townshipNames.Add(county.SeatTown);

            for (var s = 0; s < county.Streets; s++)
            {
                var street = countyNode.Add(new Node($"{county.Id}{s + 1:000}", PlaceNames.Street(s), AreaLevel.Township, "street"));
                townshipNames.Add(street.Name);
                AddVillages(rng, shape, street, communities: Draw(rng, shape.CommunitiesPerStreet), villages: 0);
            }

            int towns = 0, xiang = 0;
            for (var t = 0; t < county.Townships; t++)
            {
                var isSeat = t == 0 && county.SeatTown is not null;
                // Roughly two in three rural townships are towns (镇) in Dingxi; the rest are xiang (乡).
                var isTown = isSeat || rng.NextDouble() < 0.65;
                var id = isTown ? $"{county.Id}{100 + ++towns:000}" : $"{county.Id}{200 + ++xiang:000}";
                var name = isSeat ? county.SeatTown! : PlaceNames.Unique(townshipNames, () => PlaceNames.Township(rng, isTown));
                var township = countyNode.Add(new Node(id, name, AreaLevel.Township, isTown ? "town" : "township"));
                if (isSeat)
                    AddVillages(rng, shape, township, Draw(rng, shape.CommunitiesPerSeatTown), Draw(rng, shape.VillagesPerSeatTown));
                else
                    AddVillages(rng, shape, township, communities: 0, villages: Draw(rng, shape.VillagesPerTownship));
            }
        }

        var areas = new List<Area>(16_384);
        var (x0, y0, x1, y1) = shape.Bounds;
        Tile(city, x0, y0, x1, y1, areas);
        return new AreaHierarchy(areas);
    }

    private static void AddVillages(Random rng, CityShape shape, Node township, int communities, int villages)
    {
        var names = new HashSet<string>();
        // Real codes put communities at 001–199 and villages at 200 and up; the screens rely on nothing but uniqueness.
        for (var c = 0; c < communities; c++)
            AddGrids(rng, shape, township.Add(new Node($"{township.Id}{c + 1:000}", PlaceNames.Unique(names, () => PlaceNames.Community(rng)), AreaLevel.Village, "community")));
        for (var v = 0; v < villages; v++)
            AddGrids(rng, shape, township.Add(new Node($"{township.Id}{200 + v + 1:000}", PlaceNames.Unique(names, () => PlaceNames.Village(rng)), AreaLevel.Village, "village")));
    }

    private static void AddGrids(Random rng, CityShape shape, Node village)
    {
        var grids = Draw(rng, shape.GridsPerVillage);
        for (var g = 1; g <= grids; g++)
            village.Add(new Node($"{village.Id}-g{g:00}", PlaceNames.Grid(g), AreaLevel.Grid, "grid"));
    }

    private static int Draw(Random rng, (int Min, int Max) range) => rng.Next(range.Min, range.Max + 1);

    private static void Tile(Node node, double x0, double y0, double x1, double y1, List<Area> output)
    {
        output.Add(new Area(node.Id, node.Name, node.Level, node.Kind, node.Parent?.Id, PlanarGeometry.Rectangle(x0, y0, x1, y1)));
        if (node.Children.Count > 0) Slice(node.Children, 0, node.Children.Count, x0, y0, x1, y1, output);
    }

    /// <summary>Splits children [from, to) into two halves of about equal weight and cuts the rectangle between them.</summary>
    private static void Slice(List<Node> children, int from, int to, double x0, double y0, double x1, double y1, List<Area> output)
    {
        if (to - from == 1)
        {
            Tile(children[from], x0, y0, x1, y1, output);
            return;
        }

        double total = 0;
        for (var i = from; i < to; i++) total += children[i].Weight;
        double left = 0;
        var split = from + 1;
        for (var i = from; i < to - 1; i++)
        {
            left += children[i].Weight;
            split = i + 1;
            if (left >= total / 2) break;
        }
        left = 0;
        for (var i = from; i < split; i++) left += children[i].Weight;
        var fraction = left / total;

        // Cutting the longer side keeps tiles close to square, which reads better on a map than long slivers.
        if ((x1 - x0) * Math.Cos((y0 + y1) / 2 * Math.PI / 180) >= y1 - y0)
        {
            var cut = x0 + (x1 - x0) * fraction;
            Slice(children, from, split, x0, y0, cut, y1, output);
            Slice(children, split, to, cut, y0, x1, y1, output);
        }
        else
        {
            var cut = y0 + (y1 - y0) * fraction;
            Slice(children, from, split, x0, y0, x1, cut, output);
            Slice(children, split, to, x0, cut, x1, y1, output);
        }
    }

    private sealed class Node(string id, string name, AreaLevel level, string kind)
    {
        public string Id { get; } = id;
        public string Name { get; } = name;
        public AreaLevel Level { get; } = level;
        public string Kind { get; } = kind;
        public Node? Parent { get; private set; }
        public List<Node> Children { get; } = [];

        /// <summary>Number of grids below (a grid weighs 1): land is shared out by households, roughly.</summary>
        public int Weight { get; private set; } = 1;

        public Node Add(Node child)
        {
            child.Parent = this;
            Children.Add(child);
            // Weights are fixed up bottom-first because grids are added last; recompute lazily on the way up.
            for (var n = this; n is not null; n = n.Parent) n.Weight = n.Children.Sum(c => c.Weight);
            return child;
        }
    }
}

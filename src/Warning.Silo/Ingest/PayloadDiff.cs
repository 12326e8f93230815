using System.Globalization;
using System.Text.Json;

namespace Warning.Silo.Ingest;

/// <summary>
/// Which fields of a re-sent item differ from the version first accepted: a feed that re-uses an id for other content
/// has a bug, and it should learn which field gave it away instead of hearing "duplicate".
/// </summary>
public static class PayloadDiff
{
    public static IReadOnlyList<string> Fields(string first, string second)
    {
        if (string.Equals(first, second, StringComparison.Ordinal)) return [];
        using var a = JsonDocument.Parse(first);
        using var b = JsonDocument.Parse(second);
        if (a.RootElement.ValueKind != JsonValueKind.Object || b.RootElement.ValueKind != JsonValueKind.Object)
            return JsonElement.DeepEquals(a.RootElement, b.RootElement) ? [] : ["$"];

        var differing = new List<string>();
        var names = a.RootElement.EnumerateObject().Select(p => p.Name)
            .Union(b.RootElement.EnumerateObject().Select(p => p.Name), StringComparator).ToList();
        foreach (var name in names)
        {
            var inA = a.RootElement.TryGetProperty(name, out var va) && va.ValueKind != JsonValueKind.Null;
            var inB = b.RootElement.TryGetProperty(name, out var vb) && vb.ValueKind != JsonValueKind.Null;
            if (inA != inB || (inA && !SameValue(va, vb))) differing.Add(name);
        }
        return differing;
    }

    private static readonly StringComparer StringComparator = StringComparer.Ordinal;

    // The same instant written with another offset is the same event time, not a different report.
    private static bool SameValue(JsonElement a, JsonElement b) =>
        JsonElement.DeepEquals(a, b) ||
        (a.ValueKind == JsonValueKind.String && b.ValueKind == JsonValueKind.String &&
         DateTimeOffset.TryParse(a.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var ta) &&
         DateTimeOffset.TryParse(b.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var tb) &&
         ta == tb && a.GetString()!.Contains('T') && b.GetString()!.Contains('T'));
}

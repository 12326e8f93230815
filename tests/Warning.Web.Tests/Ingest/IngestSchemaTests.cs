using System.Globalization;
using System.Text.Json.Nodes;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Ingest;

/// <summary>
/// The OpenAPI document's ingest schemas state every field rule, and the service applies exactly what they state: each
/// published rule, broken on an otherwise valid item, is answered 400 naming that field.
/// </summary>
public sealed class IngestSchemaTests(WarningAppFactory app) : IClassFixture<WarningAppFactory>
{
    public static TheoryData<string> Endpoints => ["/api/v1/reports", "/api/v1/incidents", "/api/v1/screenings", "/api/v1/persons"];

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Every_published_rule_is_enforced_naming_its_field(string path)
    {
        var client = app.CreateClient();
        var schema = await BodySchemaAsync(client, path);
        var properties = schema["properties"]!.AsObject();
        var required = schema["required"]!.AsArray().Select(r => (string)r!).ToHashSet();
        Assert.NotEmpty(required);
        Assert.All(required, r => Assert.True(properties.ContainsKey(r), $"required '{r}' has no property"));

        // The body is valid as it stands, so each broken copy below fails for its one broken rule.
        var valid = Valid(path);
        var accepted = await Reports.PostAsync(client, path, valid.DeepClone());
        Assert.True(accepted.Status == 202, $"{path}: the valid body got {accepted.Status}: {accepted.Body}");
        Assert.All(valid.Select(p => p.Key), field => Assert.True(properties.ContainsKey(field), $"{path}: '{field}' is read but not published"));

        var checkedRules = new List<string>();
        foreach (var (field, property) in properties)
        {
            var broken = new List<(string Rule, JsonNode? Value)>();
            if (required.Contains(field)) broken.Add(("required", null));
            if (property!["maximum"] is { } max) broken.Add(("maximum", Above(property, max)));
            if (property["minimum"] is { } min) broken.Add(("minimum", Below(property, min)));
            if (property["enum"] is not null) broken.Add(("enum", "not-a-listed-value"));
            if (property["pattern"] is not null && (string?)property["format"] != "date-time") broken.Add(("pattern", "has space!"));
            if (property["format"]?.GetValue<string>() == "date-time") broken.Add(("date-time", "2026-03-01 09:30"));
            if (property["maxLength"] is { } length) broken.Add(("maxLength", new string('x', (int)length + 1)));
            if (property["maxItems"] is { } items) broken.Add(("maxItems", new JsonArray(Enumerable.Range(0, (int)items + 1).Select(i => (JsonNode)$"x{i}").ToArray())));
            if (property["items"]?["enum"] is not null) broken.Add(("items.enum", new JsonArray("not-a-listed-value")));
            foreach (var (rule, value) in broken)
            {
                var body = Valid(path);
                if (value is null) body.Remove(field);
                else body[field] = value;
                var (status, answer, _) = await Reports.PostAsync(client, path, body);
                Assert.True(status == 400, $"{path} {field} breaking '{rule}' with {value?.ToJsonString() ?? "(absent)"}: {status}");
                var named = answer!["errors"]!.AsArray().Select(e => (string)e!["field"]!).ToArray();
                Assert.True(named.Any(n => n == field || n.StartsWith(field + "[", StringComparison.Ordinal)),
                    $"{path} {field} breaking '{rule}': the 400 named {string.Join(", ", named)}");
                checkedRules.Add($"{field}:{rule}");
            }
        }
        // Each kind publishes more than the required list: bounds, vocabularies and formats.
        Assert.Contains(checkedRules, r => r.EndsWith(":enum", StringComparison.Ordinal));
        Assert.Contains(checkedRules, r => r.EndsWith(":date-time", StringComparison.Ordinal));
    }

    private static JsonNode Above(JsonNode property, JsonNode max) => Bound(property, max, +1);

    private static JsonNode Below(JsonNode property, JsonNode min) => Bound(property, min, -1);

    private static JsonNode Bound(JsonNode property, JsonNode bound, int direction)
    {
        var value = double.Parse(bound.ToString(), CultureInfo.InvariantCulture);
        return (string?)property["type"] == "integer" ? JsonValue.Create((long)value + direction) : JsonValue.Create(value + direction * Math.Max(1, Math.Abs(value) * 0.01));
    }

    private static async Task<JsonObject> BodySchemaAsync(HttpClient client, string path)
    {
        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;
        var operation = document["paths"]![path]!["post"]!;
        foreach (var status in new[] { "202", "400", "401", "403", "413", "429" })
            Assert.True(operation["responses"]?[status] is not null, $"{path}: no {status} response published");
        var schema = operation["requestBody"]!["content"]!["application/json"]!["schema"]!;
        if (schema["$ref"] is { } reference) schema = document["components"]!["schemas"]![((string)reference!).Split('/')[^1]]!;
        return schema.AsObject();
    }

    private JsonObject Valid(string path) => path switch
    {
        "/api/v1/reports" => Reports.Valid(app.GridIds[7]),
        "/api/v1/incidents" => Reports.Incident(app.GridIds[7]),
        "/api/v1/screenings" => new JsonObject
        {
            ["screeningId"] = "s-" + Guid.NewGuid().ToString("N"), ["gridId"] = app.GridIds[7], ["screenedAt"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"),
            ["reporterId"] = "w-1", ["householdsVisited"] = 12, ["findings"] = "none", ["reportIds"] = new JsonArray(),
        },
        _ => new JsonObject
        {
            ["personId"] = "p-" + Guid.NewGuid().ToString("N")[..12], ["gridId"] = app.GridIds[7], ["basis"] = "community_corrections", ["basisReference"] = "矫正决定书 2025-17",
            ["basisReviewedAt"] = DateTimeOffset.UtcNow.AddDays(-10).ToString("O"), ["basisExpiresAt"] = DateTimeOffset.UtcNow.AddDays(200).ToString("O"),
        },
    };
}

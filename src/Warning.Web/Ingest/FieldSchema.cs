using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Ingest;

namespace Warning.Web.Ingest;

/// <summary>One field's rule as the reader applies it: what the OpenAPI document publishes for integrators.</summary>
public sealed record FieldRule(string Field, JsonSchemaType Type, bool Required, string? Format = null, double? Minimum = null, double? Maximum = null,
    int? MaxLength = null, string? Pattern = null, IReadOnlyList<string>? Enum = null, int? MaxItems = null, FieldRule? Items = null, string? Rule = null);

/// <summary>
/// The rules of an ingest kind, recorded by running its reader over an empty item: every field rule the reader applies is
/// declared where it is applied, so the published schema (<c>/openapi/v1.json</c>) cannot drift from the validation.
/// </summary>
public sealed class FieldSchema
{
    private readonly Dictionary<string, FieldRule> _rules = new(StringComparer.Ordinal);

    public IReadOnlyCollection<FieldRule> Rules => _rules.Values;

    public void Add(FieldRule rule) =>
        _rules[rule.Field] = _rules.TryGetValue(rule.Field, out var known) && rule.Rule is { } extra
            ? known with { Rule = known.Rule is null ? extra : known.Rule + " " + extra, Required = known.Required || rule.Required }
            : rule;

    public static readonly IReadOnlySet<Type> IngestTypes = new HashSet<Type> { typeof(ScreeningReport), typeof(Incident), typeof(ScreeningRound), typeof(KeyIndividual) };

    /// <summary>The request bodies of the ingest endpoints and the readers that define them.</summary>
    public static IReadOnlyDictionary<Type, FieldSchema> ForIngest(AreaHierarchy hierarchy, KnownIds known)
    {
        using var empty = JsonDocument.Parse("{}");
        var context = new IngestContext(hierarchy, known, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        FieldSchema Of(Action<FieldSchema> read)
        {
            var schema = new FieldSchema();
            read(schema);
            return schema;
        }
        return new Dictionary<Type, FieldSchema>
        {
            [typeof(ScreeningReport)] = Of(s => ReportRules.Read(empty.RootElement, context, s)),
            [typeof(Incident)] = Of(s => IncidentRules.Read(empty.RootElement, context, s)),
            [typeof(ScreeningRound)] = Of(s => ScreeningRules.Read(empty.RootElement, context, s)),
            [typeof(KeyIndividual)] = Of(s => PersonRules.Read(empty.RootElement, context, s)),
        };
    }

    /// <summary>Replaces a generated body schema's properties with the recorded rules.</summary>
    public void Apply(OpenApiSchema schema)
    {
        schema.Type = JsonSchemaType.Object;
        schema.Properties = Rules.ToDictionary(r => r.Field, r => (IOpenApiSchema)ToSchema(r));
        schema.Required = Rules.Where(r => r.Required).Select(r => r.Field).ToHashSet(StringComparer.Ordinal);
        schema.AdditionalPropertiesAllowed = true;
        schema.Description = "An item, or an array of up to the batch limit of items. Every rule broken is named in the 400 (or per item in a batch).";
    }

    private static OpenApiSchema ToSchema(FieldRule rule)
    {
        var schema = new OpenApiSchema
        {
            Type = rule.Type, Format = rule.Format, Pattern = rule.Pattern, MaxLength = rule.MaxLength, MaxItems = rule.MaxItems, Description = rule.Rule,
            Minimum = rule.Minimum?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Maximum = rule.Maximum?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (rule.Enum is { } values) schema.Enum = values.Select(v => (JsonNode)JsonValue.Create(v)!).ToList();
        if (rule.Items is { } items) schema.Items = ToSchema(items);
        return schema;
    }
}

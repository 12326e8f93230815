using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Warning.Analytics.Disputes;

namespace Warning.Web.Ingest;

/// <summary>
/// Reads the fields of one JSON item and records every rule it breaks, so a feed learns all its mistakes from one
/// answer. Types are strict: "3" is not a number, 2.5 is not an integer, an unknown enum value is an error.
/// </summary>
public sealed partial class FieldReader(JsonElement item)
{
    public const int MaxIdLength = 64;
    public const int MaxSummaryLength = 2000;
    public const int MaxListLength = 100;

    public List<IngestError> Errors { get; } = new();

    public bool IsValid => Errors.Count == 0;

    /// <summary>Set when the reader runs to declare its rules (<see cref="FieldSchema.ForIngest"/>) rather than to read.</summary>
    public FieldSchema? Schema { get; init; }

    /// <summary>A rule across fields or against the store, declared for the published schema where it is applied.</summary>
    public void Note(string field, string rule, bool required = false) =>
        Schema?.Add(new FieldRule(field, JsonSchemaTypeOf(field), required, Rule: rule));

    private Microsoft.OpenApi.JsonSchemaType JsonSchemaTypeOf(string field) =>
        Schema?.Rules.FirstOrDefault(r => r.Field == field)?.Type ?? Microsoft.OpenApi.JsonSchemaType.String;

    private static FieldRule IdRule(string field, bool required) =>
        new(field, Microsoft.OpenApi.JsonSchemaType.String, required, MaxLength: MaxIdLength, Pattern: @"^[A-Za-z0-9._:-]{1,64}$");

    public string? Id(string field, bool required)
    {
        Schema?.Add(IdRule(field, required));
        var value = String(field, required);
        if (value is null) return null;
        if (value.Length is 0 or > MaxIdLength || !IdPattern().IsMatch(value))
            return Fail<string>(field, "id", $"'{field}' must be 1–{MaxIdLength} characters from A–Z, a–z, 0–9, '.', '_', ':' and '-'");
        return value;
    }

    public DateTimeOffset? Time(string field, bool required)
    {
        Schema?.Add(new FieldRule(field, Microsoft.OpenApi.JsonSchemaType.String, required, Format: "date-time",
            Pattern: @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|z|[+-]\d{2}:\d{2})$", Rule: "ISO-8601 with an offset."));
        var value = String(field, required);
        if (value is null) return null;
        if (!TimePattern().IsMatch(value) ||
            !DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time))
            return Fail<DateTimeOffset?>(field, "time", $"'{field}' must be an ISO-8601 time with an offset, e.g. 2026-03-01T09:30:00+08:00");
        return time;
    }

    public TEnum? Enum<TEnum>(string field, bool required) where TEnum : struct, Enum
    {
        Schema?.Add(new FieldRule(field, Microsoft.OpenApi.JsonSchemaType.String, required, Enum: DisputeVocabulary.WireNames<TEnum>().ToArray()));
        var value = String(field, required);
        if (value is null) return null;
        if (DisputeVocabulary.TryParse<TEnum>(value, out var parsed)) return parsed;
        return Fail<TEnum?>(field, "enum", $"'{field}' must be one of: {string.Join(", ", DisputeVocabulary.WireNames<TEnum>())}");
    }

    public int? Int(string field, bool required, long min, long max)
    {
        Schema?.Add(new FieldRule(field, Microsoft.OpenApi.JsonSchemaType.Integer, required, Minimum: min, Maximum: max));
        if (!TryGet(field, required, out var element)) return null;
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out var value))
            return Fail<int?>(field, "type", $"'{field}' must be a whole number");
        if (value < min || value > max) return Fail<int?>(field, "range", $"'{field}' must be between {min:N0} and {max:N0}");
        return (int)value;
    }

    public double? Number(string field, bool required, double min, double max)
    {
        Schema?.Add(new FieldRule(field, Microsoft.OpenApi.JsonSchemaType.Number, required, Minimum: min, Maximum: max));
        if (!TryGet(field, required, out var element)) return null;
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var value) || !double.IsFinite(value))
            return Fail<double?>(field, "type", $"'{field}' must be a number");
        if (value < min || value > max) return Fail<double?>(field, "range", $"'{field}' must be between {min:G} and {max:G}");
        return value;
    }

    public string? Text(string field, int maxLength)
    {
        Schema?.Add(new FieldRule(field, Microsoft.OpenApi.JsonSchemaType.String, false, MaxLength: maxLength, Rule: "No control characters other than tab and line breaks."));
        var value = String(field, required: false);
        if (value is null) return null;
        if (value.Length > maxLength) return Fail<string>(field, "maxLength", $"'{field}' must be at most {maxLength:N0} characters");
        foreach (var c in value)
        {
            if (char.IsControl(c) && c is not ('\n' or '\r' or '\t'))
                return Fail<string>(field, "controlCharacters", $"'{field}' must not contain control characters other than tab and line breaks");
        }
        return value;
    }

    public IReadOnlyList<TEnum> EnumList<TEnum>(string field) where TEnum : struct, Enum
    {
        Schema?.Add(new FieldRule(field, Microsoft.OpenApi.JsonSchemaType.Array, false, MaxItems: MaxListLength, Rule: "Repeats count once.",
            Items: new FieldRule(field, Microsoft.OpenApi.JsonSchemaType.String, false, Enum: DisputeVocabulary.WireNames<TEnum>().ToArray())));
        var values = new List<TEnum>();
        foreach (var (element, index) in List(field))
        {
            if (TryReadString(element, out var text) && DisputeVocabulary.TryParse<TEnum>(text, out var parsed))
            {
                if (!values.Contains(parsed)) values.Add(parsed);
            }
            else Errors.Add(new($"{field}[{index}]", "enum", $"'{field}[{index}]' must be one of: {string.Join(", ", DisputeVocabulary.WireNames<TEnum>())}"));
        }
        return values;
    }

    public IReadOnlyList<string> IdList(string field)
    {
        Schema?.Add(new FieldRule(field, Microsoft.OpenApi.JsonSchemaType.Array, false, MaxItems: MaxListLength, Rule: "Repeats count once.", Items: IdRule(field, false)));
        var values = new List<string>();
        foreach (var (element, index) in List(field))
        {
            var name = $"{field}[{index}]";
            if (TryReadString(element, out var text) && text is { Length: > 0 and <= MaxIdLength } id && IdPattern().IsMatch(id))
            {
                if (!values.Contains(id)) values.Add(id);
            }
            else Errors.Add(new(name, "id", $"'{name}' must be 1–{MaxIdLength} characters from A–Z, a–z, 0–9, '.', '_', ':' and '-'"));
        }
        return values;
    }

    public void Fail(string field, string rule, string message) => Errors.Add(new(field, rule, message));

    private IEnumerable<(JsonElement Element, int Index)> List(string field)
    {
        if (!TryGet(field, required: false, out var element)) yield break;
        if (element.ValueKind != JsonValueKind.Array)
        {
            Fail(field, "type", $"'{field}' must be an array");
            yield break;
        }
        if (element.GetArrayLength() > MaxListLength)
        {
            Fail(field, "maxItems", $"'{field}' must have at most {MaxListLength} entries");
            yield break;
        }
        var index = 0;
        foreach (var e in element.EnumerateArray()) yield return (e, index++);
    }

    private string? String(string field, bool required)
    {
        if (!TryGet(field, required, out var element)) return null;
        if (element.ValueKind != JsonValueKind.String) return Fail<string>(field, "type", $"'{field}' must be a string");
        if (!TryReadString(element, out var value)) return Fail<string>(field, "encoding", $"'{field}' must be valid Unicode text (it holds a lone UTF-16 surrogate)");
        return value;
    }

    /// <summary>
    /// A JSON string as .NET text, or false when it cannot be one: JSON escapes may spell a lone surrogate ("\ud800"),
    /// which the parser accepts and <see cref="JsonElement.GetString"/> then throws on.
    /// </summary>
    public static bool TryReadString(JsonElement element, out string? value)
    {
        value = null;
        if (element.ValueKind != JsonValueKind.String) return false;
        try
        {
            value = element.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private bool TryGet(string field, bool required, out JsonElement element)
    {
        if (item.TryGetProperty(field, out element) && element.ValueKind != JsonValueKind.Null) return true;
        if (required) Fail(field, "required", $"'{field}' is required");
        return false;
    }

    private T? Fail<T>(string field, string rule, string message)
    {
        Fail(field, rule, message);
        return default;
    }

    // \z, not $: $ also matches before a final "\n", which let "id\n" through.
    [GeneratedRegex(@"^[A-Za-z0-9._:-]{1,64}\z")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|z|[+-]\d{2}:\d{2})\z")]
    private static partial Regex TimePattern();
}

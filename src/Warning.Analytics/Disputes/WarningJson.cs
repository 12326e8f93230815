using System.Text.Json;
using System.Text.Json.Serialization;

namespace Warning.Analytics.Disputes;

/// <summary>The one JSON shape of the contracts: camelCase, snake_case enums, no nulls written.</summary>
public static class WarningJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    public static JsonSerializerOptions Create() => Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Applies the contract's conventions to options someone else owns (ASP.NET Core's, SignalR's).</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DictionaryKeyPolicy = JsonNamingPolicy.CamelCase;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.Converters.Add(new ContractEnumConverterFactory());
        return options;
    }

    /// <summary>Uses <see cref="DisputeVocabulary"/>'s names, so police_110 and hotline_12345 keep their digits.</summary>
    private sealed class ContractEnumConverterFactory : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum && typeToConvert.Namespace == typeof(DisputeCategory).Namespace;

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(ContractEnumConverter<>).MakeGenericType(typeToConvert))!;
    }

    private sealed class ContractEnumConverter<TEnum> : JsonConverter<TEnum> where TEnum : struct, Enum
    {
        public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DisputeVocabulary.TryParse<TEnum>(reader.GetString(), out var value) ? value : throw new JsonException($"unknown {typeof(TEnum).Name} value");

        public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options) => writer.WriteStringValue(DisputeVocabulary.WireName(value));

        public override TEnum ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Read(ref reader, typeToConvert, options);

        public override void WriteAsPropertyName(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options) => writer.WritePropertyName(DisputeVocabulary.WireName(value));
    }
}

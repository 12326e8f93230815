using System.Globalization;
using System.Text;

namespace Warning.Analytics.TimeSeries;

/// <summary>The unit a line's timestamp is written in; the same value goes in the write's <c>precision</c> parameter.</summary>
public enum TimePrecision { Nanoseconds, Microseconds, Milliseconds, Seconds }

public static class TimePrecisions
{
    /// <summary>The <c>precision</c> query parameter of InfluxDB 1.x <c>/write</c>.</summary>
    public static string Parameter(this TimePrecision precision) => precision switch
    {
        TimePrecision.Nanoseconds => "ns",
        TimePrecision.Microseconds => "u",
        TimePrecision.Milliseconds => "ms",
        _ => "s",
    };

    public static long FromNanoseconds(this TimePrecision precision, long nanoseconds) => precision switch
    {
        TimePrecision.Nanoseconds => nanoseconds,
        TimePrecision.Microseconds => Math.DivRem(nanoseconds, 1_000L).Quotient,
        TimePrecision.Milliseconds => Math.DivRem(nanoseconds, 1_000_000L).Quotient,
        _ => Math.DivRem(nanoseconds, 1_000_000_000L).Quotient,
    };

    /// <summary>
    /// The earliest and latest timestamps InfluxDB 1.x stores (its <c>models.MinNanoTime</c> and <c>MaxNanoTime</c>):
    /// signed 64-bit nanoseconds around 1970, less the two values it reserves. A moment outside cannot be written.
    /// </summary>
    public const long MinUnixNanoseconds = long.MinValue + 2;
    public const long MaxUnixNanoseconds = long.MaxValue - 1;

    /// <summary>1677-09-21T00:12:43.145224194Z, rounded up to the tick.</summary>
    public static DateTimeOffset MinTime { get; } = new(DateTimeOffset.UnixEpoch.UtcTicks + MinUnixNanoseconds / 100, TimeSpan.Zero);

    /// <summary>2262-04-11T23:47:16.854775806Z, rounded down to the tick.</summary>
    public static DateTimeOffset MaxTime { get; } = new(DateTimeOffset.UnixEpoch.UtcTicks + MaxUnixNanoseconds / 100, TimeSpan.Zero);

    public static bool InRange(DateTimeOffset moment) => moment >= MinTime && moment <= MaxTime;

    /// <summary>Nanoseconds since 1970; a moment outside InfluxDB's range is refused rather than wrapped round (1600 became 2184).</summary>
    public static long UnixNanoseconds(DateTimeOffset moment, long extraNanoseconds = 0) =>
        TryUnixNanoseconds(moment, extraNanoseconds, out var nanoseconds)
            ? nanoseconds
            : throw new ArgumentOutOfRangeException(nameof(moment), moment, $"{moment:O} is {OutOfRange}");

    public static bool TryUnixNanoseconds(DateTimeOffset moment, long extraNanoseconds, out long unixNanoseconds)
    {
        // In 128 bits: the 64-bit product is what overflowed silently.
        var nanoseconds = (Int128)(moment.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100 + extraNanoseconds;
        var inRange = nanoseconds >= MinUnixNanoseconds && nanoseconds <= MaxUnixNanoseconds;
        unixNanoseconds = inRange ? (long)nanoseconds : 0;
        return inRange;
    }

    internal static string OutOfRange { get; } = $"outside InfluxDB's time range {MinTime:O} to {MaxTime:O}";
}

/// <summary>
/// One point in InfluxDB 1.x line protocol: <c>measurement,tag=v,... field=v,... timestamp</c>.
/// </summary>
/// <remarks>
/// Escaping follows the 1.x line-protocol reference: measurement names escape commas and spaces; tag keys, tag values
/// and field keys escape commas, equals signs and spaces; string field values escape double quotes and backslashes and
/// may contain raw newlines (the parser honours quotes across line breaks). What 1.x cannot represent is rejected with
/// an <see cref="ArgumentException"/> when the point is built, never silently altered: a newline or carriage return in
/// a name, key or tag value (there is no escape for it), and a backslash at the end of one or right before a character
/// that needs escaping (the parser would read it as an escape). A backslash anywhere else is written as is and comes
/// back as is. A tag with a null or empty value is left out (InfluxDB has no empty tag values). A timestamp outside
/// InfluxDB's range (about 1677 to 2262) is an <see cref="ArgumentOutOfRangeException"/>: in 64-bit nanoseconds it
/// would wrap round and land centuries away.
/// </remarks>
public sealed class LinePoint
{
    private readonly string _measurement;
    private readonly List<KeyValuePair<string, string>> _tags = new(8);
    private readonly StringBuilder _fields = new(64);
    private long? _timestamp;

    public LinePoint(string measurement)
    {
        CheckName(measurement, nameof(measurement), MeasurementSpecials);
        _measurement = measurement;
    }

    public string Measurement => _measurement;

    public LinePoint Tag(string key, string? value)
    {
        CheckName(key, nameof(key), KeySpecials);
        if (string.IsNullOrEmpty(value)) return this;
        CheckName(value, nameof(value), KeySpecials);
        _tags.Add(new(key, value));
        return this;
    }

    public LinePoint Field(string key, long value)
    {
        AppendField(key).Append(value.ToString(CultureInfo.InvariantCulture)).Append('i');
        return this;
    }

    public LinePoint Field(string key, double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), value, $"field {key}: InfluxDB stores finite floats only");
        AppendField(key).Append(value.ToString("R", CultureInfo.InvariantCulture));
        return this;
    }

    public LinePoint Field(string key, bool value)
    {
        AppendField(key).Append(value ? "true" : "false");
        return this;
    }

    public LinePoint Field(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var sb = AppendField(key).Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\') sb.Append('\\');
            sb.Append(c);
        }
        sb.Append('"');
        return this;
    }

    /// <summary>Optional fields: nothing is written for null.</summary>
    public LinePoint Field(string key, double? value) => value is { } v ? Field(key, v) : this;

    /// <summary>The point's time; outside InfluxDB's range (<see cref="TimePrecisions.MinTime"/> to <see cref="TimePrecisions.MaxTime"/>) an <see cref="ArgumentOutOfRangeException"/>.</summary>
    public LinePoint Timestamp(DateTimeOffset moment, long extraNanoseconds = 0) =>
        TimePrecisions.TryUnixNanoseconds(moment, extraNanoseconds, out var nanoseconds)
            ? TimestampNanoseconds(nanoseconds)
            : throw new ArgumentOutOfRangeException(nameof(moment), moment, $"a {_measurement} point at {moment:O} is {TimePrecisions.OutOfRange}");

    public LinePoint TimestampNanoseconds(long unixNanoseconds)
    {
        if (unixNanoseconds is < TimePrecisions.MinUnixNanoseconds or > TimePrecisions.MaxUnixNanoseconds)
            throw new ArgumentOutOfRangeException(nameof(unixNanoseconds), unixNanoseconds, $"a {_measurement} point at {unixNanoseconds} ns is {TimePrecisions.OutOfRange}");
        _timestamp = unixNanoseconds;
        return this;
    }

    public bool HasFields => _fields.Length > 0;

    /// <summary>Unix nanoseconds, or null when InfluxDB is to stamp the point on arrival.</summary>
    public long? UnixNanoseconds => _timestamp;

    public void WriteTo(StringBuilder line, TimePrecision precision = TimePrecision.Nanoseconds)
    {
        if (_fields.Length == 0) throw new InvalidOperationException($"a {_measurement} point needs at least one field");
        Escape(line, _measurement, MeasurementSpecials);
        // Sorted tags are what InfluxDB would sort them to anyway; sending them sorted spares the server the work.
        if (_tags.Count > 1) _tags.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var (key, value) in _tags)
        {
            line.Append(',');
            Escape(line, key, KeySpecials);
            line.Append('=');
            Escape(line, value, KeySpecials);
        }
        line.Append(' ').Append(_fields);
        if (_timestamp is { } t) line.Append(' ').Append(precision.FromNanoseconds(t).ToString(CultureInfo.InvariantCulture));
    }

    public string ToLine(TimePrecision precision = TimePrecision.Nanoseconds)
    {
        var sb = new StringBuilder(128);
        WriteTo(sb, precision);
        return sb.ToString();
    }

    public override string ToString() => ToLine();

    private StringBuilder AppendField(string key)
    {
        CheckName(key, nameof(key), KeySpecials);
        if (_fields.Length > 0) _fields.Append(',');
        Escape(_fields, key, KeySpecials);
        return _fields.Append('=');
    }

    private const string MeasurementSpecials = ", ";
    private const string KeySpecials = ",= ";

    private static void Escape(StringBuilder sb, string value, string specials)
    {
        foreach (var c in value)
        {
            if (specials.Contains(c)) sb.Append('\\');
            sb.Append(c);
        }
    }

    private static void CheckName(string value, string what, string specials)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, what);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c is '\n' or '\r')
                throw new ArgumentException($"{what} '{value}': InfluxDB 1.x line protocol has no escape for line breaks in names, keys and tag values", what);
            if (c == '\\' && (i == value.Length - 1 || specials.Contains(value[i + 1])))
                throw new ArgumentException($"{what} '{value}': a backslash at the end or before '{(i == value.Length - 1 ? "" : value[i + 1])}' would be read as an escape by InfluxDB 1.x", what);
        }
    }
}

using System.Text;

namespace Warning.Analytics.TimeSeries;

/// <summary>
/// Quoting for InfluxQL text built from values (area ids, categories): identifiers in double quotes, string literals
/// in single quotes. InfluxQL's scanner knows the escapes <c>\\</c>, <c>\"</c>, <c>\'</c> and <c>\n</c> inside both,
/// so a value that contains quotes, backslashes or newlines stays one token and can never end the query's literal.
/// </summary>
public static class InfluxQL
{
    public static string Identifier(string name) => Quote(name, '"');

    public static string Literal(string value) => Quote(value, '\'');

    /// <summary>An RFC 3339 time literal.</summary>
    public static string TimeLiteral(DateTimeOffset moment) => "'" + moment.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture) + "'";

    /// <summary>A duration literal in whole seconds, hours or days where exact (InfluxQL has no fractions).</summary>
    public static string Duration(TimeSpan span) =>
        span.Ticks % TimeSpan.TicksPerDay == 0 ? $"{span.Ticks / TimeSpan.TicksPerDay}d"
        : span.Ticks % TimeSpan.TicksPerHour == 0 ? $"{span.Ticks / TimeSpan.TicksPerHour}h"
        : span.Ticks % TimeSpan.TicksPerSecond == 0 ? $"{span.Ticks / TimeSpan.TicksPerSecond}s"
        : $"{span.Ticks / 10}u";

    private static string Quote(string value, char quote)
    {
        ArgumentNullException.ThrowIfNull(value);
        var sb = new StringBuilder(value.Length + 2).Append(quote);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '"' or '\'' when c == quote: sb.Append('\\').Append(c); break;
                default: sb.Append(c); break;
            }
        }
        return sb.Append(quote).ToString();
    }
}

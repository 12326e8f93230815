using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Warning.Analytics.TimeSeries;

namespace Warning.Silo.TimeSeries;

public enum WriteOutcome { Written, Retry, Rejected }

/// <summary>A series of an InfluxQL answer: name, tags, columns and rows (JSON values as InfluxDB sent them).</summary>
public sealed record InfluxSeries(string Name, IReadOnlyDictionary<string, string> Tags, IReadOnlyList<string> Columns, IReadOnlyList<JsonElement[]> Values);

public sealed class InfluxQueryException(string message) : Exception(message);

/// <summary>InfluxDB 1.x's HTTP API (<c>/ping</c>, <c>/write</c>, <c>/query</c>) over one pooled HttpClient.</summary>
public sealed class InfluxClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly InfluxOptions _options;

    public InfluxClient(IOptions<InfluxOptions> options)
    {
        _options = options.Value;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AutomaticDecompression = DecompressionMethods.GZip })
        {
            BaseAddress = new Uri(_options.Url.TrimEnd('/') + "/"),
            Timeout = _options.RequestTimeout,
        };
        if (!string.IsNullOrEmpty(_options.Username))
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_options.Username}:{_options.Password}")));
    }

    public InfluxOptions Options => _options;

    public bool Enabled => _options.Enabled;

    public string Database => _options.Database;

    /// <summary>Null when InfluxDB answered; otherwise why not.</summary>
    public async Task<string?> PingAsync(CancellationToken ct = default)
    {
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(TimeSpan.FromSeconds(2));
            using var response = await _http.GetAsync("ping", cts.Token);
            return response.StatusCode == HttpStatusCode.NoContent ? null : $"ping answered {(int)response.StatusCode}";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return ex.Message;
        }
    }

    /// <summary>Posts line protocol as is (already gzipped when <paramref name="gzipped"/>).</summary>
    public async Task<(WriteOutcome Outcome, string? Error)> WriteAsync(ReadOnlyMemory<byte> body, bool gzipped, string retentionPolicy, TimePrecision precision, CancellationToken ct = default)
    {
        var uri = $"write?db={Uri.EscapeDataString(_options.Database)}&rp={Uri.EscapeDataString(retentionPolicy)}&precision={precision.Parameter()}";
        using var content = new ReadOnlyMemoryContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        if (gzipped) content.Headers.ContentEncoding.Add("gzip");
        try
        {
            using var response = await _http.PostAsync(uri, content, ct);
            if (response.IsSuccessStatusCode) return (WriteOutcome.Written, null);
            var error = await response.Content.ReadAsStringAsync(ct);
            // 404: the database is gone (dropped, or a fresh server): worth retrying once the schema is made again.
            var retry = (int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
            return (retry ? WriteOutcome.Retry : WriteOutcome.Rejected, $"{(int)response.StatusCode}: {error.Trim()}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return (WriteOutcome.Retry, ex.Message);
        }
    }

    /// <summary>Runs InfluxQL; statements that change things go by POST. Throws <see cref="InfluxQueryException"/> on an error answer.</summary>
    public async Task<IReadOnlyList<InfluxSeries>> QueryAsync(string influxQl, bool write = false, string? database = null, CancellationToken ct = default)
    {
        var parameters = new List<KeyValuePair<string, string>> { new("q", influxQl), new("epoch", "ms") };
        var db = database ?? _options.Database;
        if (db.Length > 0) parameters.Add(new("db", db));
        using var response = write
            ? await _http.PostAsync("query", new FormUrlEncodedContent(parameters), ct)
            : await _http.GetAsync("query?" + string.Join('&', parameters.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}")), ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(text); }
        catch (JsonException) { throw new InfluxQueryException($"{(int)response.StatusCode}: {text.Trim()}"); }
        using (doc)
        {
            if (doc.RootElement.TryGetProperty("error", out var topError)) throw new InfluxQueryException(topError.GetString() ?? text);
            var series = new List<InfluxSeries>();
            foreach (var result in doc.RootElement.GetProperty("results").EnumerateArray())
            {
                if (result.TryGetProperty("error", out var error)) throw new InfluxQueryException(error.GetString() ?? text);
                if (!result.TryGetProperty("series", out var list)) continue;
                foreach (var s in list.EnumerateArray())
                {
                    var tags = new Dictionary<string, string>(StringComparer.Ordinal);
                    if (s.TryGetProperty("tags", out var t))
                        foreach (var p in t.EnumerateObject()) tags[p.Name] = p.Value.GetString() ?? "";
                    var columns = s.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToArray();
                    var values = s.TryGetProperty("values", out var v)
                        ? v.EnumerateArray().Select(row => row.EnumerateArray().Select(x => x.Clone()).ToArray()).ToList()
                        : [];
                    series.Add(new InfluxSeries(s.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "", tags, columns, values));
                }
            }
            return series;
        }
    }

    public void Dispose() => _http.Dispose();
}

using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Errors;

/// <summary>
/// Errors that Kestrel raises before the app sees the request, and bodies that stall, over a real socket: each answer
/// is problem+json with the status that names the fault, never an empty body and never a 500.
/// </summary>
public sealed class ErrorBodyTests : IDisposable
{
    private readonly WarningAppFactory _app = new();
    private readonly Uri _base;

    public ErrorBodyTests()
    {
        _app.UseKestrel(0);
        _app.StartServer();
        _base = _app.ClientOptions.BaseAddress;
    }

    [Fact]
    public async Task A_very_long_url_gets_414_with_a_problem_body()
    {
        // Just over Kestrel's 8 kB request line: much more would still be unread when it closes, and the RST that then
        // follows can discard its answer on the client's side before it is read.
        var (status, headers, body) = await SendRawAsync($"GET /api/v1/regions/{new string('a', 9_000)} HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(414, status);
        AssertProblem(headers, body, 414, "url");
    }

    [Fact]
    public async Task A_null_byte_in_the_path_gets_400_with_a_problem_body()
    {
        var (status, headers, body) = await SendRawAsync("GET /api/v1/regions/a%00b HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(400, status);
        AssertProblem(headers, body, 400, "request");
    }

    [Fact]
    public async Task A_stalled_body_gets_408_and_the_service_still_accepts_reports()
    {
        // Headers promise 10 kB; 20 bytes come, then nothing: Kestrel's minimum data rate gives up after its grace period.
        var head = $"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n[{{\"reportId\":\"stall";
        var (status, headers, body) = await SendRawAsync(head);
        Assert.Equal(408, status);
        AssertProblem(headers, body, 408, "$");

        using var client = new HttpClient { BaseAddress = _base };
        var after = await Reports.PostAsync(client, "/api/v1/reports", Reports.Valid(_app.GridIds[0]));
        Assert.Equal(202, after.Status);
    }

    [Fact]
    public async Task Ordinary_requests_pass_through_untouched()
    {
        using var client = new HttpClient { BaseAddress = _base };
        var missing = await client.GetAsync("/api/v1/regions/no-such-area");
        Assert.Equal(404, (int)missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        var regions = await client.GetAsync("/api/v1/regions");
        Assert.True(regions.IsSuccessStatusCode);
        Assert.NotEmpty(JsonNode.Parse(await regions.Content.ReadAsStringAsync())!.AsArray());
    }

    private static void AssertProblem(IReadOnlyDictionary<string, string> headers, string body, int status, string field)
    {
        Assert.StartsWith("application/problem+json", headers.GetValueOrDefault("content-type"));
        var problem = JsonNode.Parse(body)!;
        Assert.Equal(status, (int)problem["status"]!);
        Assert.Equal(field, (string?)problem["errors"]![0]!["field"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["errors"]![0]!["message"]));
    }

    /// <summary>Writes the request bytes as given (no client would send these) and reads one response.</summary>
    private async Task<(int Status, IReadOnlyDictionary<string, string> Headers, string Body)> SendRawAsync(string request)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_base.Host, _base.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request));
        await stream.FlushAsync();
        // No half-close after the request: a client waiting for its answer keeps its side open, and a FIN can make the
        // server drop the connection before its answer is out.

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var received = new MemoryStream();
        var buffer = new byte[8192];
        while (true)
        {
            var text = Encoding.UTF8.GetString(received.ToArray());
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var lines = text[..end].Split("\r\n");
                var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
                var rest = text[(end + 4)..];
                var status = int.Parse(lines[0].Split(' ')[1]);
                if (headers.GetValueOrDefault("transfer-encoding") == "chunked")
                {
                    if (rest.EndsWith("0\r\n\r\n", StringComparison.Ordinal)) return (status, headers, Dechunk(rest));
                }
                else if (Encoding.UTF8.GetByteCount(rest) >= int.Parse(headers.GetValueOrDefault("content-length", "0")))
                    return (status, headers, rest);
            }
            var n = await stream.ReadAsync(buffer, timeout.Token);
            if (n == 0) throw new InvalidOperationException($"connection closed before a whole response: '{text}'");
            received.Write(buffer, 0, n);
        }
    }

    private static string Dechunk(string chunked)
    {
        var body = new StringBuilder();
        var bytes = Encoding.UTF8.GetBytes(chunked);
        var at = 0;
        while (true)
        {
            var lineEnd = Array.IndexOf(bytes, (byte)'\n', at);
            var size = Convert.ToInt32(Encoding.ASCII.GetString(bytes, at, lineEnd - at).Trim(), 16);
            if (size == 0) return body.ToString();
            body.Append(Encoding.UTF8.GetString(bytes, lineEnd + 1, size));
            at = lineEnd + 1 + size + 2;
        }
    }

    public void Dispose() => _app.Dispose();
}

using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Web;

namespace Warning.Web.Tests.TimeSeries;

/// <summary>
/// A loopback HTTP proxy in front of a test's InfluxDB: records every InfluxQL statement that passes, and never answers
/// the ones <see cref="Hang"/> picks (until it stops picking them), as an InfluxDB that hangs on a heavy query would.
/// </summary>
public sealed class InfluxProxy : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _statements = new();
    private readonly Task _accepting;
    private volatile TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Func<string, bool>? _hang;

    public InfluxProxy(string upstreamUrl)
    {
        _upstream = new HttpClient { BaseAddress = new Uri(upstreamUrl), Timeout = TimeSpan.FromMinutes(2) };
        var port = Warning.Web.Tests.Support.ServiceProcess.FreePort();
        Url = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Url + "/");
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Url { get; }

    /// <summary>Statements it picks get no answer; null answers everything again, the ones held included.</summary>
    public Func<string, bool>? Hang
    {
        get => _hang;
        set
        {
            _hang = value;
            if (value is null) Interlocked.Exchange(ref _released, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    public IReadOnlyList<string> Statements { get { lock (_statements) return _statements.ToList(); } }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = Task.Run(() => ForwardAsync(context));
        }
    }

    private async Task ForwardAsync(HttpListenerContext context)
    {
        var request = context.Request;
        try
        {
            using var buffer = new MemoryStream();
            await request.InputStream.CopyToAsync(buffer);
            var body = buffer.ToArray();
            var statement = HttpUtility.ParseQueryString(request.Url!.Query)["q"];
            if (statement is null && request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal) == true)
                statement = HttpUtility.ParseQueryString(Encoding.UTF8.GetString(body))["q"];
            if (statement is not null)
            {
                lock (_statements) _statements.Add(statement);
                var released = _released;
                // Held until released (then answered, late, as a slow InfluxDB would) or until the proxy stops.
                if (_hang?.Invoke(statement) == true) await released.Task.WaitAsync(_stop.Token);
            }

            using var forward = new HttpRequestMessage(new HttpMethod(request.HttpMethod), request.RawUrl);
            if (body.Length > 0)
            {
                forward.Content = new ByteArrayContent(body);
                if (request.ContentType is { } type) forward.Content.Headers.TryAddWithoutValidation("Content-Type", type);
                if (request.Headers["Content-Encoding"] is { } encoding) forward.Content.Headers.TryAddWithoutValidation("Content-Encoding", encoding);
            }
            if (request.Headers["Authorization"] is { } auth) forward.Headers.TryAddWithoutValidation("Authorization", auth);
            using var response = await _upstream.SendAsync(forward, _stop.Token);
            var answer = await response.Content.ReadAsByteArrayAsync(_stop.Token);
            context.Response.StatusCode = (int)response.StatusCode;
            if (response.Content.Headers.ContentType is { } contentType) context.Response.ContentType = contentType.ToString();
            context.Response.ContentLength64 = answer.Length;
            if (answer.Length > 0) await context.Response.OutputStream.WriteAsync(answer, _stop.Token);
            context.Response.Close();
        }
        catch (Exception)
        {
            // The caller timed out and left, or the proxy is stopping: nobody is waiting for this answer.
            try { context.Response.Abort(); } catch (ObjectDisposedException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try { await _accepting; } catch (Exception) { }
        _listener.Close();
        _upstream.Dispose();
    }

}

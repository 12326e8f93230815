using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Alerts;

/// <summary>A gateway stand-in: a real Kestrel listener that checks each post's HMAC signature itself, or answers 503 throughout.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    public string Url { get; }

    public string Secret { get; } = "receiver-secret-" + Guid.NewGuid().ToString("N");

    /// <summary>Each post: whether its signature verified, and its body.</summary>
    public ConcurrentQueue<(bool Verified, JsonElement Body)> Received { get; } = new();

    public int Attempts => _attempts;

    private int _attempts;

    public WebhookReceiver(bool failing = false)
    {
        var port = ServiceProcess.FreePort();
        Url = $"http://127.0.0.1:{port}/hook";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        _app = builder.Build();
        _app.MapPost("/hook", async (HttpRequest request) =>
        {
            Interlocked.Increment(ref _attempts);
            if (failing) return Results.StatusCode(503);
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var timestamp = request.Headers["X-Warning-Timestamp"].ToString();
            var signature = request.Headers["X-Warning-Signature"].ToString();
            // Computed here from the shared secret, independently of the service's signing code.
            var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(timestamp + "." + body)));
            var fresh = long.TryParse(timestamp, out var t) && Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - t) < 600;
            var verified = fresh && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature));
            Received.Enqueue((verified, JsonDocument.Parse(body).RootElement.Clone()));
            return verified ? Results.NoContent() : Results.Unauthorized();
        });
        _app.StartAsync().GetAwaiter().GetResult();
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

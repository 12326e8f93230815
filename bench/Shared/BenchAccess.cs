using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;

namespace Warning.Bench;

/// <summary>
/// What a benchmark's own service process is started with, and signs in with (issue 13: nothing is open): a feed key for
/// every ingest kind, provisioned by its hash as a secret store would, and the demo accounts, of which the duty officer
/// reads (aggregates and cases). Clients made from <see cref="Handler"/> pick the credential by path, so a benchmark keeps
/// one client per node. Rate limits are lifted: a benchmark measures the service, not the limiter (bench/ingest.sh
/// measures authentication itself).
/// </summary>
public sealed class BenchAccess(params string[] dataDirectories)
{
    private static readonly string[] IngestKinds = ["report", "incident", "screening", "person"];

    public string Key { get; } = "wk_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public IEnumerable<string> ServiceArgs()
    {
        yield return "--Auth:DemoAccounts=true";
        yield return "--Auth:ProvisionedKeys:0:Name=bench";
        yield return "--Auth:ProvisionedKeys:0:Sha256=" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Key)));
        for (var i = 0; i < IngestKinds.Length; i++) yield return $"--Auth:ProvisionedKeys:0:Kinds:{i}={IngestKinds[i]}";
        foreach (var limit in new[] { "UserPerSecond", "UserBurst", "ApiKeyPerSecond", "ApiKeyBurst" }) yield return $"--Auth:RateLimits:{limit}=100000000";
    }

    /// <summary>A handler for one node's clients: the key on intake, a duty officer's session (signed in on first need, again after a 401) on the rest.</summary>
    public HttpMessageHandler Handler(int maxConnectionsPerServer = 32) =>
        new Credentials(this, new SocketsHttpHandler { MaxConnectionsPerServer = maxConnectionsPerServer, UseCookies = false });

    /// <summary>The demo duty officer's password, from whichever node's data folder the first run wrote it to.</summary>
    private string ReaderPassword()
    {
        foreach (var directory in dataDirectories)
        {
            var file = Path.Combine(directory, "demo-accounts.txt");
            if (!File.Exists(file)) continue;
            foreach (var line in File.ReadLines(file))
                if (line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["demo-duty-officer", _, var password, ..]) return password;
        }
        throw new InvalidOperationException("no demo-accounts.txt with demo-duty-officer in " + string.Join(", ", dataDirectories));
    }

    private sealed class Credentials(BenchAccess access, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private readonly SemaphoreSlim _signIn = new(1, 1);
        private string? _cookie;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var path = request.RequestUri!.AbsolutePath;
            if (request.Method == HttpMethod.Post && path is "/api/v1/reports" or "/api/v1/incidents" or "/api/v1/screenings" or "/api/v1/persons")
            {
                request.Headers.Add("X-Api-Key", access.Key);
                return await base.SendAsync(request, ct);
            }
            // Health, metrics and the dashboards answer loopback without a session.
            if (path is "/healthz" or "/readyz" or "/metrics") return await base.SendAsync(request, ct);
            var cookie = _cookie ?? await SignInAsync(null, request.RequestUri, ct);
            request.Headers.Add("Cookie", cookie);
            var response = await base.SendAsync(request, ct);
            if (response.StatusCode != HttpStatusCode.Unauthorized || request.Content is not null) return response;
            // The session ended (a restarted node without the key ring, an idle timeout): sign in again, once.
            response.Dispose();
            request.Headers.Remove("Cookie");
            request.Headers.Add("Cookie", await SignInAsync(cookie, request.RequestUri, ct));
            return await base.SendAsync(request, ct);
        }

        private async Task<string> SignInAsync(string? stale, Uri uri, CancellationToken ct)
        {
            await _signIn.WaitAsync(ct);
            try
            {
                if (_cookie is not null && _cookie != stale) return _cookie;
                using var login = new HttpRequestMessage(HttpMethod.Post, new Uri(uri, "/api/v1/auth/login"))
                {
                    Content = JsonContent.Create(new { userName = "demo-duty-officer", password = access.ReaderPassword() }),
                };
                using var response = await base.SendAsync(login, ct);
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"bench sign-in: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                var cookies = response.Headers.TryGetValues("Set-Cookie", out var set) ? set.Select(c => c.Split(';')[0]) : [];
                return _cookie = string.Join("; ", cookies);
            }
            finally
            {
                _signIn.Release();
            }
        }
    }
}

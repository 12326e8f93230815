using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Warning.Web.Tests.Support;

/// <summary>
/// Warning.Web as a real child process on a loopback port: what a browser can reach, and what a test can kill -9.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServiceProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        BaseUrl = $"http://127.0.0.1:{port}";
        process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string BaseUrl { get; }

    public int Port { get; }

    public string Output { get { lock (_output) return _output.ToString(); } }

    public static Task<ServiceProcess> StartAsync(string dataDirectory, params string[] settings) => StartAsync(dataDirectory, FreePort(), settings);

    /// <summary>On a given port: a restart on the port of a killed process is what an open browser reconnects to.</summary>
    public static Task<ServiceProcess> StartAsync(string dataDirectory, int port, params string[] settings) =>
        StartAsync(dataDirectory, port, signedInByDefault: true, settings);

    /// <summary>
    /// <paramref name="signedInByDefault"/>: requests without credentials of their own (a plain HttpClient, a browser
    /// with no cookie) run as a caller holding every role, through <see cref="TestIdentityStartup"/>; false: the service
    /// as a stranger sees it, for the security tests.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(string dataDirectory, int port, bool signedInByDefault, params string[] settings)
    {
        var url = $"http://127.0.0.1:{port}";
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (signedInByDefault)
        {
            // The test assembly holds the hosting startup; the service resolves it through this project's dependency
            // manifest (a superset of the service's own), with the service's runtime settings.
            info.ArgumentList.Add("exec");
            info.ArgumentList.Add("--depsfile");
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Warning.Web.Tests.deps.json"));
            info.ArgumentList.Add("--runtimeconfig");
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Warning.Web.runtimeconfig.json"));
        }
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Warning.Web.dll"));
        info.ArgumentList.Add("--contentRoot");
        info.ArgumentList.Add(WebProjectDirectory());
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(url);
        foreach (var setting in new[]
                 {
                     $"--Storage:DataDirectory={dataDirectory}", "--Hierarchy:SimulatedCityShape=Small", "--Hierarchy:SimulatedCitySeed=7",
                     "--Simulator:Enabled=false", $"--Orleans:SiloPort={FreePort()}",
                     // As in WarningAppFactory: the start-up re-score tick, ten seconds in, is one more ingest entry that a
                     // slow run (HardKillTests on a loaded machine) counted as a 201st report; a test that wants it passes true.
                     "--Risk:RescoreOnStartup=false",
                 }.Concat(settings))
            info.ArgumentList.Add(setting);
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        foreach (var (key, value) in TestSettings.UnlimitedRates) info.ArgumentList.Add($"--{key}={value}");
        if (signedInByDefault)
        {
            info.Environment[TestIdentity.EnvironmentVariable] = "1";
            info.Environment["ASPNETCORE_HOSTINGSTARTUPASSEMBLIES"] = typeof(TestIdentityStartup).Assembly.GetName().Name;
        }
        var service = new ServiceProcess(Process.Start(info)!, port);
        await service.WaitReadyAsync(TimeSpan.FromSeconds(120));
        return service;
    }

    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"service exited with {_process.ExitCode}:\n{Output}");
            try
            {
                using var response = await client.GetAsync(BaseUrl + "/readyz");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException($"service not ready within {timeout}:\n{Output}");
    }

    /// <summary>SIGKILL: no shutdown hooks, no flush, no checkpoint.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM: the host's graceful shutdown, as systemd would stop it.</summary>
    public async Task StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()])) await kill.WaitForExitAsync();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    /// <summary>The pages are served from the project's wwwroot, as <c>dotnet run</c> does.</summary>
    private static string WebProjectDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Warning.sln"))) return Path.Combine(dir.FullName, "src", "Warning.Web");
        throw new DirectoryNotFoundException("Warning.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>
    /// A loopback port nothing listens on, never handed out twice in this test run. Not an ephemeral port (port 0): the
    /// kernel hands those to outgoing connections too, and on a busy CI run one went to a client socket between this
    /// probe and the silo binding it (AddressInUse). Below the ephemeral range (32768), only listeners take a port.
    /// </summary>
    public static int FreePort()
    {
        while (true)
        {
            var port = FirstPort + (int)((uint)Interlocked.Increment(ref _nextPort) % PortCount);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException) { }
        }
    }

    private const int FirstPort = 12000, PortCount = 10000;

    // Each test process starts at its own place in the range, so that two runs side by side rarely probe the same ports.
    private static int _nextPort = Environment.ProcessId * 97 % PortCount;
}

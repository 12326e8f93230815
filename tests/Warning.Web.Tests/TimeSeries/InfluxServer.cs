using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Warning.Silo.Storage;
using Warning.Silo.TimeSeries;

namespace Warning.Web.Tests.TimeSeries;

/// <summary>
/// A real influxd of the test's own: free loopback ports, a temp data folder, stoppable and restartable (the outage
/// test). The binary comes from Debian's influxdb package (scripts/install.sh).
/// </summary>
public sealed class InfluxServer : IAsyncLifetime
{
    private Process? _process;

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "warning-influx-" + Guid.NewGuid().ToString("N"));
    public int Port { get; } = Warning.Web.Tests.Support.ServiceProcess.FreePort();
    private readonly int _metaPort = Warning.Web.Tests.Support.ServiceProcess.FreePort();

    public string Url => $"http://127.0.0.1:{Port}";

    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        await File.WriteAllTextAsync(Path.Combine(Directory, "influxdb.conf"), $"""
            reporting-disabled = true
            bind-address = "127.0.0.1:{_metaPort}"
            [meta]
              dir = "{Directory}/meta"
            [data]
              dir = "{Directory}/data"
              wal-dir = "{Directory}/wal"
              query-log-enabled = false
            [monitor]
              store-enabled = false
            [http]
              bind-address = "127.0.0.1:{Port}"
              log-enabled = false
            [continuous_queries]
              enabled = true
            """);
        await StartAsync();
    }

    public async Task StartAsync()
    {
        var binary = new[] { "/usr/bin/influxd", "/usr/local/bin/influxd" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("influxd not found: run scripts/install.sh (Debian package influxdb)");
        var info = new ProcessStartInfo(binary, ["-config", Path.Combine(Directory, "influxdb.conf")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var until = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < until)
        {
            if (_process.HasExited) throw new InvalidOperationException($"influxd exited with {_process.ExitCode}");
            try
            {
                using var response = await http.GetAsync($"{Url}/ping");
                if (response.StatusCode == HttpStatusCode.NoContent) return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException("influxd did not answer /ping within 30 s");
    }

    public async Task StopAsync()
    {
        if (_process is null || _process.HasExited) return;
        _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public InfluxOptions Options(string database, Action<InfluxOptions>? configure = null)
    {
        var options = new InfluxOptions
        {
            Enabled = true,
            Url = Url,
            Database = database,
            SpillDirectory = Path.Combine(Directory, "spill-" + database),
            FlushInterval = TimeSpan.FromMilliseconds(100),
            RetryDelay = TimeSpan.FromMilliseconds(50),
            MaxRetryDelay = TimeSpan.FromMilliseconds(500),
            MaxRetries = 2,
            RequestTimeout = TimeSpan.FromSeconds(5),
        };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>The service's own client, schema and writer on this server (not started).</summary>
    public (InfluxClient Client, InfluxSchema Schema, InfluxWriter Writer) Create(InfluxOptions options)
    {
        var wrapped = Microsoft.Extensions.Options.Options.Create(options);
        var client = new InfluxClient(wrapped);
        var schema = new InfluxSchema(client, wrapped, NullLogger<InfluxSchema>.Instance);
        var writer = new InfluxWriter(client, schema, wrapped, Microsoft.Extensions.Options.Options.Create(new StorageOptions { DataDirectory = Directory }), NullLogger<InfluxWriter>.Instance);
        return (client, schema, writer);
    }

}

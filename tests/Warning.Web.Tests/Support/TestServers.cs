using System.Diagnostics;

namespace Warning.Web.Tests.Support;

/// <summary>
/// The project's own PostgreSQL and Redis, started through its scripts (as a deployment would), for the tests that
/// claim to check the real thing. Each test takes a database of its own, so tests can run side by side.
/// </summary>
public static class TestServers
{
    private static readonly SemaphoreSlim StartLock = new(1, 1);
    private static bool _postgresUp;
    private static bool _redisUp;

    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>Starts the shared cluster (scripts/postgres.sh, idempotent) and creates an empty database on it.</summary>
    public static async Task<string> CreatePostgresDatabaseAsync(string prefix = "t")
    {
        await StartLock.WaitAsync();
        try
        {
            if (!_postgresUp) await RunScriptAsync("postgres.sh", "start");
            _postgresUp = true;
        }
        finally { StartLock.Release(); }

        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)].ToLowerInvariant();
        await RunAsync("psql", "-X", "-q", "-h", "127.0.0.1", "-p", PostgresPort, "-U", "warning", "-d", "warning",
            "-v", "ON_ERROR_STOP=1", "-c", $"create database \"{name}\"");
        return $"Host=127.0.0.1;Port={PostgresPort};Database={name};Username=warning;Password=warning";
    }

    public static string PostgresPort => Environment.GetEnvironmentVariable("PG_PORT") ?? "5433";

    /// <summary>The shared Redis (scripts/redis.sh, idempotent), as a StackExchange.Redis configuration string.</summary>
    public static async Task<string> RedisAsync()
    {
        await StartLock.WaitAsync();
        try
        {
            if (!_redisUp) await RunScriptAsync("redis.sh", "start");
            _redisUp = true;
        }
        finally { StartLock.Release(); }
        return $"127.0.0.1:{Environment.GetEnvironmentVariable("REDIS_PORT") ?? "6380"}";
    }

    /// <summary>A Redis of the test's own on a free port, for tests that stop it.</summary>
    public static async Task<(string Configuration, Func<Task> Stop, Func<Task> Start)> OwnRedisAsync()
    {
        var (port, stop, start) = await OwnServerAsync("redis.sh", "REDIS_PORT", "REDIS_DIR", "warning-redis-");
        return ($"127.0.0.1:{port}", stop, start);
    }

    /// <summary>A PostgreSQL cluster of the test's own on a free port (scripts/postgres.sh), for tests that stop it.</summary>
    public static async Task<(string ConnectionString, Func<Task> Stop, Func<Task> Start)> OwnPostgresAsync()
    {
        var (port, stop, start) = await OwnServerAsync("postgres.sh", "PG_PORT", "PG_DIR", "warning-pg-");
        return ($"Host=127.0.0.1;Port={port};Database=warning;Username=warning;Password=warning", stop, start);
    }

    /// <summary>Starts one of the project's server scripts on a free port and a folder of its own.</summary>
    private static async Task<(string Port, Func<Task> Stop, Func<Task> Start)> OwnServerAsync(string script, string portVariable, string dirVariable, string prefix)
    {
        var port = ServiceProcess.FreePort().ToString();
        var dir = Directory.CreateTempSubdirectory(prefix).FullName;
        var env = new Dictionary<string, string> { [portVariable] = port, [dirVariable] = dir };
        Func<Task> start = () => RunScriptAsync(script, "start", env);
        Func<Task> stop = () => RunScriptAsync(script, "stop", env);
        await start();
        return (port, stop, start);
    }

    public static Task RunScriptAsync(string script, string action, IReadOnlyDictionary<string, string>? environment = null) =>
        RunAsync(Path.Combine(RepositoryRoot, "scripts", script), [action], environment);

    private static Task RunAsync(string file, params string[] arguments) => RunAsync(file, arguments, null);

    private static async Task RunAsync(string file, string[] arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(limit.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {await output}{await error}");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Warning.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Warning.sln not found above " + AppContext.BaseDirectory);
    }
}

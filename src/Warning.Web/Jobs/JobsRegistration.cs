using Warning.Silo.Cluster;
using System.Linq.Expressions;
using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Common;
using Hangfire.Dashboard;
using Microsoft.Extensions.Options;
using Warning.Silo.Storage;
using Warning.Silo.Time;
using Warning.Web.Accounts;

namespace Warning.Web.Jobs;

/// <summary>A recurring job a feature contributes; a null cron removes it from the store (it outlives the process).</summary>
public sealed record RecurringJobDefinition(string Id, string? Cron, Job Job);

/// <summary>A job run once each time the service has started, after <paramref name="Delay"/> (e.g. a scan that should not wait for the night).</summary>
public sealed record StartupJobDefinition(string Name, Job Job, TimeSpan Delay);

public static class JobsRegistration
{
    public const string DashboardPath = "/jobs";

    /// <summary>
    /// Hangfire with this host's own store, activator, retry policy and time zones, all as services of this host.
    /// Hangfire's defaults for those are process-wide statics (JobStorage.Current, GlobalJobFilters), and a test process
    /// runs many hosts side by side, each with its own store: registered here first, Hangfire's AddHangfire keeps them
    /// (it only adds what is missing) and its server, clients and dashboard take them from the container.
    /// </summary>
    public static IServiceCollection AddWarningJobs(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<JobsOptions>().Bind(config.GetSection(JobsOptions.Section))
            .PostConfigure(o =>
            {
                if (ClusterModeOptions.SharedStoreFor(config, $"{JobsOptions.Section}:Storage") is not { } shared) return;
                o.Storage = JobStorageKind.PostgreSql;
                o.ConnectionString = shared;
            })
            .Validate(o => { o.Validate(); return true; }).ValidateOnStart();
        services.AddSingleton(sp => JobStores.Create(sp.GetRequiredService<IOptions<JobsOptions>>().Value,
            sp.GetRequiredService<IOptions<StorageOptions>>().Value, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Warning.Web.Jobs")));
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddSingleton<ITimeZoneResolver>(sp => CivilTimeZoneResolver.From(sp.GetRequiredService<IOptions<ClockOptions>>().Value));
        services.AddSingleton<IJobFilterProvider>(sp => Filters(sp.GetRequiredService<IOptions<JobsOptions>>().Value));
        // Still process-wide: the serializer settings (the same for every host) and Hangfire's own log provider, which
        // AddHangfire points at the ILoggerFactory of the host built last (in a test process, Hangfire's internal lines
        // may land in another host's log; a deployment has one host).
        services.AddHangfire(c => c
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        // After the silo (registered earlier), so jobs start once grains can be called and stop before the silo does.
        services.AddHangfireServer((sp, server) =>
        {
            var o = sp.GetRequiredService<IOptions<JobsOptions>>().Value;
            server.WorkerCount = o.WorkerCount;
            server.SchedulePollingInterval = o.SchedulePollingInterval;
        });
        services.AddHostedService<JobSchedules>();
        return services;
    }

    /// <summary>Adds a recurring job in the deployment's civil time; an empty cron removes it.</summary>
    public static IServiceCollection AddRecurringJob<T>(this IServiceCollection services, string id, string? cron, Expression<Func<T, Task>> call) =>
        services.AddSingleton(new RecurringJobDefinition(id, string.IsNullOrWhiteSpace(cron) ? null : cron.Trim(), Job.FromExpression(call)));

    public static IServiceCollection AddStartupJob<T>(this IServiceCollection services, string name, TimeSpan delay, Expression<Func<T, Task>> call) =>
        services.AddSingleton(new StartupJobDefinition(name, Job.FromExpression(call), delay));

    /// <summary>The dashboard at <c>/jobs</c>: history, retries, failures with their exceptions; behind the operator policy (<see cref="JobsDashboardAccess"/>).</summary>
    public static IEndpointRouteBuilder MapJobsDashboard(this IEndpointRouteBuilder endpoints)
    {
        if (!endpoints.ServiceProvider.GetRequiredService<IOptions<JobsOptions>>().Value.Dashboard) return endpoints;
        endpoints.MapHangfireDashboard(DashboardPath, new DashboardOptions
        {
            DashboardTitle = "Warning jobs",
            AppPath = "/",
            Authorization = [],
            AsyncAuthorization = [new JobsDashboardAccess()],
            // The PostgreSQL connection string carries a password.
            DisplayStorageConnectionString = false,
        }).RequireAuthorization(Policies.Operator);
        return endpoints;
    }

    /// <summary>Hangfire's global filters, with the retry policy from <see cref="JobsOptions"/>; attributes on job methods still apply.</summary>
    private static IJobFilterProvider Filters(JobsOptions options)
    {
        var filters = new JobFilterCollection();
        filters.Add(new CaptureCultureAttribute());
        filters.Add(new AutomaticRetryAttribute
        {
            Attempts = options.RetryAttempts,
            DelaysInSeconds = options.RetryDelaysInSeconds(),
            ExceptOn = [typeof(JobRejectedException)],
            OnAttemptsExceeded = AttemptsExceededAction.Fail,
        });
        filters.Add(new StatisticsHistoryAttribute());
        filters.Add(new ContinuationsSupportAttribute());
        return new JobFilterProviderCollection(filters, new JobFilterAttributeFilterProvider());
    }
}

/// <summary>
/// Writes every feature's recurring jobs into the store at start (adding, updating, or removing those whose cron is now
/// empty) and schedules the start-up jobs once the host has started. Every node of a cluster does this; the writes are
/// idempotent and the store's scheduler, not the node, decides who runs an occurrence.
/// </summary>
internal sealed class JobSchedules(IRecurringJobManager recurring, IBackgroundJobClient jobs, ITimeZoneResolver zones, IOptions<ClockOptions> clock,
    IEnumerable<RecurringJobDefinition> definitions, IEnumerable<StartupJobDefinition> startup, IHostApplicationLifetime lifetime, ILogger<JobSchedules> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var civil = zones.GetTimeZoneById(clock.Value.Zone.Id);
        foreach (var definition in definitions)
        {
            if (definition.Cron is null)
            {
                recurring.RemoveIfExists(definition.Id);
                logger.LogInformation("Recurring job {JobId} is off", definition.Id);
                continue;
            }
            recurring.AddOrUpdate(definition.Id, definition.Job, definition.Cron, new RecurringJobOptions { TimeZone = civil });
            logger.LogInformation("Recurring job {JobId}: {Cron} in {Zone}", definition.Id, definition.Cron, civil.Id);
        }
        lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var job in startup)
            {
                try { logger.LogInformation("Start-up job {Name} due in {Delay} as {HangfireJobId}", job.Name, job.Delay, jobs.Create(job.Job, new Hangfire.States.ScheduledState(job.Delay))); }
                catch (Exception ex) { logger.LogError(ex, "Start-up job {Name} could not be queued", job.Name); }
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

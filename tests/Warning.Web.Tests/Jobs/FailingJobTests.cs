using System.Collections.Concurrent;
using System.Net;
using Hangfire;
using Hangfire.States;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Jobs;

/// <summary>A job that always throws, run by the service's own Hangfire server (activated from its container).</summary>
public sealed class ThrowingJob
{
    public static readonly ConcurrentDictionary<string, int> Attempts = new();

    public void Run(string key)
    {
        Attempts.AddOrUpdate(key, 1, (_, n) => n + 1);
        throw new InvalidOperationException($"grid feed {key} unreachable");
    }
}

/// <summary>Sets the connection's remote address from a test header: TestServer has none, and /jobs decides by it.</summary>
internal sealed class RemoteAddressFromHeader : Microsoft.AspNetCore.Hosting.IStartupFilter
{
    public const string Header = "X-Test-Remote-Address";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((HttpContext http, Func<Task> call) =>
        {
            if (http.Request.Headers[Header] is [{ } address]) http.Connection.RemoteIpAddress = IPAddress.Parse(address);
            return call();
        });
        next(app);
    };
}

public sealed class FailingJobTests : IDisposable
{
    private readonly WarningAppFactory _factory = new();

    [Fact]
    public async Task A_job_that_throws_is_retried_by_the_policy_then_shows_as_failed_on_the_dashboard_with_its_exception()
    {
        var app = _factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Jobs:RetryAttempts", "2");
            b.UseSetting("Jobs:RetryDelay", "00:00:01");
            b.UseSetting("Jobs:SchedulePollingInterval", "00:00:01");
            b.UseSetting("Jobs:QueuePollInterval", "00:00:00.200");
            b.ConfigureServices(s => s.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, RemoteAddressFromHeader>());
        });
        var client = app.CreateClient();
        var key = Guid.NewGuid().ToString("N");
        var id = app.Services.GetRequiredService<IBackgroundJobClient>().Enqueue<ThrowingJob>(j => j.Run(key));
        var storage = app.Services.GetRequiredService<JobStorage>();

        string? State() { using var c = storage.GetConnection(); return c.GetJobData(id)?.State; }
        Assert.True(await Poll.UntilAsync(() => State() == FailedState.StateName, TimeSpan.FromSeconds(60)), $"job {id} is {State()}");
        // The first run and the two retries of the policy, no more.
        Assert.Equal(3, ThrowingJob.Attempts[key]);
        var history = storage.GetMonitoringApi().JobDetails(id).History;
        Assert.Equal(2, history.Count(h => h.StateName == ScheduledState.StateName && h.Reason?.StartsWith("Retry attempt", StringComparison.Ordinal) == true));

        using var page = new HttpRequestMessage(HttpMethod.Get, $"/jobs/jobs/details/{id}");
        page.Headers.Add(RemoteAddressFromHeader.Header, "127.0.0.1");
        using var response = await client.SendAsync(page);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Failed", html);
        Assert.Contains($"grid feed {key} unreachable", html);
        Assert.Contains("InvalidOperationException", html);

        // The failed list, where an operator looks first.
        using var failed = new HttpRequestMessage(HttpMethod.Get, "/jobs/jobs/failed");
        failed.Headers.Add(RemoteAddressFromHeader.Header, "::1");
        using var list = await client.SendAsync(failed);
        Assert.Contains($"grid feed {key} unreachable", await list.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("203.0.113.7")]
    [InlineData("10.0.0.8")]
    [InlineData(null)]
    public async Task The_dashboard_sends_signed_out_requests_that_are_not_from_this_machine_to_sign_in(string? remote)
    {
        using var factory = new WarningAppFactory { SignedInByDefault = false };
        var app = factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, RemoteAddressFromHeader>()));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/jobs");
        if (remote is not null) request.Headers.Add(RemoteAddressFromHeader.Header, remote);
        using var response = await app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false }).SendAsync(request);
        // The operator policy, as for /orleans: a signed-out browser not on loopback is sent to /login (the roles are in PolicyMatrixTests).
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login", response.Headers.Location!.OriginalString, StringComparison.Ordinal);

        using var local = new HttpRequestMessage(HttpMethod.Get, "/jobs/jobs/failed");
        local.Headers.Add(RemoteAddressFromHeader.Header, "127.0.0.1");
        using var fromHere = await app.CreateClient().SendAsync(local);
        Assert.Equal(HttpStatusCode.OK, fromHere.StatusCode);
    }

    public void Dispose() => _factory.Dispose();
}

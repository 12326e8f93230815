using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR.Client;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Alerts;

/// <summary>The service in process with the alert engine's group wait at 0 and its clock looked at often.</summary>
public sealed class AlertApp : IDisposable
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    public WarningAppFactory Factory { get; } = new();

    public Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> App { get; }

    public AlertApp(Action<IWebHostBuilder>? configure = null)
    {
        App = Factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Alerts:GroupWait", "00:00:00");
            b.UseSetting("Alerts:TickInterval", "00:00:00.200");
            configure?.Invoke(b);
        });
    }

    public HttpClient Client() => App.CreateClient();

    /// <summary>Opens a case in <paramref name="grid"/> and links a violent incident to it: its risk goes High.</summary>
    public static async Task<string> ViolentCaseAsync(HttpClient client, string grid, string category = "land")
    {
        var report = Reports.Valid(grid);
        report["category"] = category;
        var posted = await Reports.PostAsync(client, "/api/v1/reports", report);
        Assert.Equal(202, posted.Status);
        var caseId = (string)posted.Body!["items"]![0]!["caseId"]!;
        var incident = Reports.Incident(grid, caseId);
        incident["type"] = "violence";
        incident["severity"] = 4;
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/incidents", incident)).Status);
        return caseId;
    }

    public static async Task<JsonNode?> AlertAsync(HttpClient client, string id)
    {
        using var response = await client.GetAsync($"/api/v1/alerts/{Uri.EscapeDataString(id)}");
        return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync()) : null;
    }

    public static async Task<JsonArray> ListAsync(HttpClient client, string query) =>
        (await Reports.GetAsync(client, "/api/v1/alerts" + query))["alerts"]!.AsArray();

    public static async Task<(int Status, JsonNode? Body)> CommandAsync(HttpClient client, string id, string command, JsonObject body)
    {
        var (status, node, _) = await Reports.PostAsync(client, $"/api/v1/alerts/{Uri.EscapeDataString(id)}/{command}", body);
        return (status, node);
    }

    /// <summary>A console's connection to <c>/hubs/alerts</c>, keeping every alert message it hears.</summary>
    public async Task<(HubConnection Hub, ConcurrentQueue<JsonElement> Heard)> ConsoleAsync()
    {
        var heard = new ConcurrentQueue<JsonElement>();
        var hub = new HubConnectionBuilder().WithUrl(new Uri(App.Server.BaseAddress, "/hubs/alerts"), o =>
        {
            o.HttpMessageHandlerFactory = _ => App.Server.CreateHandler();
            o.Transports = HttpTransportType.LongPolling;
        }).Build();
        hub.On<JsonElement>("message", m => heard.Enqueue(m));
        await hub.StartAsync();
        return (hub, heard);
    }

    public void Dispose()
    {
        App.Dispose();
        Factory.Dispose();
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Dashboard;
using Orleans.Hosting;
using Warning.Silo.Storage;
using Warning.Silo.Storage;

namespace Warning.Silo;

/// <summary>
/// <c>dotnet run --project src/Warning.Silo</c>: one Orleans silo alone, localhost clustering, grain state in
/// <c>Storage:DataDirectory</c>/state.db, the Orleans dashboard at http://127.0.0.1:5090/dashboard/ (<c>--urls</c> moves it).
/// </summary>
/// <remarks>
/// A class with Main rather than top-level statements: those would declare a global <c>Program</c>, which
/// Warning.Web.Tests' <c>WebApplicationFactory&lt;Program&gt;</c> would then find in two assemblies.
/// </remarks>
internal static class SiloProgram
{
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.Configure<StorageOptions>(builder.Configuration.GetSection(StorageOptions.Section));
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering()
            .AddSqliteGrainStorageAsDefault()
            .AddDashboard());
        if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls("http://127.0.0.1:5090");

        var app = builder.Build();
        app.MapOrleansDashboard(routePrefix: "/dashboard");
        app.MapGet("/", () => Results.Redirect("/dashboard/"));
        await app.RunAsync();
    }
}

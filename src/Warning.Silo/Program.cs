using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Hosting;

namespace Warning.Silo;

/// <summary>
/// <c>dotnet run --project src/Warning.Silo</c>: one Orleans silo with the Warning grains and no HTTP. It applies the
/// ingest log of its data folder (<c>Storage:DataDirectory</c>) into the grains, as the silo co-hosted by Warning.Web
/// does; the web API, pages and hubs are Warning.Web's.
/// </summary>
/// <remarks>
/// A class with Main rather than top-level statements: those would declare a global <c>Program</c>, which
/// Warning.Web.Tests' <c>WebApplicationFactory&lt;Program&gt;</c> would then find in two assemblies.
/// </remarks>
internal static class SiloProgram
{
    public static async Task Main(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddSingleton(TimeProvider.System);
        // The silo first: it starts before the ingest applier and stops after the applier's last checkpoint.
        builder.UseOrleans(silo => silo.ConfigureWarningSilo(builder.Configuration));
        builder.Services.AddWarningSilo(builder.Configuration);
        await builder.Build().RunAsync();
    }
}

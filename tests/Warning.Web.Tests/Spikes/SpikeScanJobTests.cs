using Microsoft.Extensions.DependencyInjection;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Areas;
using Warning.Silo.Time;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Spikes;

public sealed class SpikeScanJobTests(WarningAppFactory app) : IClassFixture<WarningAppFactory>
{
    [Fact]
    public async Task Hangfire_runs_the_start_up_scan_of_yesterday_on_every_village()
    {
        _ = app.CreateClient(); // starts the host, and with it the Hangfire server
        var yesterday = app.Services.GetRequiredService<WarningClock>().Today.AddDays(-1);
        var grains = app.Services.GetRequiredService<IGrainFactory>();
        var villages = app.Hierarchy.AtLevel(AreaLevel.Village).Select(v => v.Id).ToArray();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        VillageSpikeState[] states;
        do
        {
            await Task.Delay(250);
            states = await Task.WhenAll(villages.Select(v => grains.GetGrain<IVillageGrain>(v).GetSpikeState()));
        } while (states.Any(s => s.AsOf is null) && DateTime.UtcNow < deadline);

        Assert.All(states, s => Assert.Equal(yesterday, s.AsOf));
        // An empty city has nothing to find.
        Assert.All(states, s => Assert.False(s.IsSpiking));
    }

    [Fact]
    public void Spike_state_survives_the_grain_state_serialiser()
    {
        var serializer = app.Services.GetRequiredService<global::Orleans.Serialization.Serializer>();
        var state = new VillageState
        {
            Spike = new VillageSpikeState(new DateOnly(2026, 3, 2),
            [
                new SpikeSignal(null, new DateOnly(2026, 2, 28), 7, 0.9, "poisson_c3"),
                new SpikeSignal(Warning.Analytics.Disputes.DisputeCategory.Land, new DateOnly(2026, 3, 2), 4, 0.12, "poisson_c2", "621102101201-g03"),
            ]),
        };
        var back = serializer.Deserialize<VillageState>(serializer.SerializeToArray(state));
        Assert.Equal(state.Spike.AsOf, back.Spike.AsOf);
        Assert.Equal(state.Spike.Active, back.Spike.Active);
        Assert.True(back.Spike.IsSpiking);
    }
}
